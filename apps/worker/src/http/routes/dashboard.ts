// bull-board at /admin/queues, behind authentication in every environment: the browser asks for
// Basic credentials (any user name, API_SECRET as password); a Bearer token works too.
import { createBullBoard } from '@bull-board/api';
import { BullMQAdapter } from '@bull-board/api/bullMQAdapter';
import { FastifyAdapter } from '@bull-board/fastify';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { ROUTES } from '@auto-prospect/core';
import type { Queues } from '../../jobs/queues.js';
import { sameSecret } from '../auth.js';

function presentedSecret(header: string | undefined): string {
  if (!header) return '';
  if (header.startsWith('Bearer ')) return header.slice('Bearer '.length);
  if (!header.startsWith('Basic ')) return '';
  const decoded = Buffer.from(header.slice('Basic '.length), 'base64').toString('utf8');
  return decoded.slice(decoded.indexOf(':') + 1);
}

export function registerDashboard(app: FastifyInstance, deps: { queues: Queues; apiSecret: string }): void {
  const serverAdapter = new FastifyAdapter();
  createBullBoard({ queues: Object.values(deps.queues).map((q) => new BullMQAdapter(q)), serverAdapter });
  serverAdapter.setBasePath(ROUTES.dashboard);
  void app.register((scope, _options, done) => {
    scope.addHook('onRequest', async (request: FastifyRequest, reply: FastifyReply) => {
      const secret = presentedSecret(request.headers.authorization);
      if (!secret || !sameSecret(secret, deps.apiSecret)) {
        await reply.code(401).header('www-authenticate', 'Basic realm="auto-prospect queues"').send({ error: 'UNAUTHORIZED', message: 'credentials required' });
      }
    });
    void scope.register(serverAdapter.registerPlugin(), { prefix: ROUTES.dashboard });
    done();
  });
}
