import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { ROUTES } from '@auto-prospect/core';
import type { Readiness } from '../../readiness.js';
import { errors } from '../errors.js';
import { describeRoute } from '../openapi.js';

// Probes arrive every few seconds: their requests are not logged unless something goes wrong.
const quiet = { logLevel: 'warn' } as const;
const doc = (summary: string) => describeRoute({ tag: 'health', summary, bearer: false });

const report = z.object({
  ready: z.boolean(),
  failing: z.array(z.string()).describe('names of the checks that failed'),
  checks: z.record(
    z.string(),
    z.object({
      ok: z.boolean(),
      error: z.string().optional(),
      code: z.string().optional().describe("the driver's error code"),
    }),
  ),
  warnings: z.array(z.string()).describe('what needs a person but no restart fixes'),
});

export function registerHealthRoutes(instance: FastifyInstance, readiness: Readiness): void {
  const app = instance.withTypeProvider<ZodTypeProvider>();
  app.get(
    ROUTES.healthLive,
    {
      ...quiet,
      schema: {
        ...doc('200 while the process runs'),
        response: { 200: z.object({ status: z.literal('ok') }), ...errors() },
      },
    },
    async (_request, reply) => reply.send({ status: 'ok' }),
  );

  app.get(
    ROUTES.healthReady,
    {
      ...quiet,
      schema: {
        ...doc(
          '200 when Redis, Postgres and the workers are ready; 503 naming what is not; ' +
            'warnings name a late daily run or a missing job scheduler',
        ),
        response: {
          200: report.describe('Ready'),
          503: report.describe('Not ready: `failing` names the checks that failed'),
          ...errors(),
        },
      },
    },
    async (_request, reply) => {
      const found = await readiness.check();
      return found.ready ? reply.code(200).send(found) : reply.code(503).send(found);
    },
  );
}
