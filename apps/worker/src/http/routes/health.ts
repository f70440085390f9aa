import type { FastifyInstance } from 'fastify';
import { ROUTES } from '@auto-prospect/core';
import type { Readiness } from '../../readiness.js';

// Probes arrive every few seconds: their requests are not logged unless something goes wrong.
const quiet = { logLevel: 'warn' } as const;

export function registerHealthRoutes(app: FastifyInstance, readiness: Readiness): void {
  app.get(ROUTES.healthLive, quiet, (_request, reply) => reply.send({ status: 'ok' }));

  app.get(ROUTES.healthReady, quiet, async (_request, reply) => {
    const report = await readiness.check();
    return reply.code(report.ready ? 200 : 503).send(report);
  });
}
