import type { FastifyInstance } from 'fastify';
import { ROUTES } from '@auto-prospect/core';
import type { Readiness } from '../../readiness.js';

export function registerHealthRoutes(app: FastifyInstance, readiness: Readiness): void {
  app.get(ROUTES.healthLive, (_request, reply) => reply.send({ status: 'ok' }));

  app.get(ROUTES.healthReady, async (_request, reply) => {
    const report = await readiness.check();
    return reply.code(report.ready ? 200 : 503).send(report);
  });
}
