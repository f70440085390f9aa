// bull-board at /admin/queues, rate limited and behind authentication in every environment: the
// browser asks for Basic credentials (any user name, API_SECRET as password); a Bearer token works too.
import { createBullBoard } from '@bull-board/api';
import { BullMQAdapter } from '@bull-board/api/bullMQAdapter';
import { FastifyAdapter } from '@bull-board/fastify';
import type { FastifyInstance } from 'fastify';
import { ROUTES } from '@auto-prospect/core';
import type { Queues } from '../../jobs/queues.js';
import { requireBrowserSecret } from '../auth.js';

export function registerDashboard(
  app: FastifyInstance,
  deps: { queues: Queues; apiSecret: string; limit: { max: number; timeWindow: number } },
): void {
  const serverAdapter = new FastifyAdapter();
  createBullBoard({ queues: Object.values(deps.queues).map((q) => new BullMQAdapter(q)), serverAdapter });
  serverAdapter.setBasePath(ROUTES.dashboard);
  void app.register((scope, _options, done) => {
    scope.addHook('onRequest', scope.rateLimit(deps.limit));
    scope.addHook('onRequest', requireBrowserSecret(deps.apiSecret, 'auto-prospect queues'));
    void scope.register(serverAdapter.registerPlugin(), { prefix: ROUTES.dashboard });
    done();
  });
}
