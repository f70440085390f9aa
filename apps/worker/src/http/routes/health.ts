import type { FastifyInstance } from 'fastify';
import { ROUTES } from '@auto-prospect/core';
import type { Readiness } from '../../readiness.js';
import { describeRoute } from '../openapi.js';

// Probes arrive every few seconds: their requests are not logged unless something goes wrong.
const quiet = { logLevel: 'warn' } as const;
const doc = (summary: string) => ({ schema: describeRoute({ tag: 'health', summary, bearer: false }) });

export function registerHealthRoutes(app: FastifyInstance, readiness: Readiness): void {
  app.get(ROUTES.healthLive, { ...quiet, ...doc('200 while the process runs') }, (_request, reply) => reply.send({ status: 'ok' }));

  app.get(ROUTES.healthReady, { ...quiet, ...doc('200 when Redis, Postgres and the workers are ready; 503 naming what is not; warnings name a late daily run or a missing job scheduler') }, async (_request, reply) => {
    const report = await readiness.check();
    return reply.code(report.ready ? 200 : 503).send(report);
  });
}
