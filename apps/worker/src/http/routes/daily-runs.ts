import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { dailyRunReport, ensureDailyRun, huntExists, localDateOf, ROUTES } from '@auto-prospect/core';
import type { Sql } from '@auto-prospect/core/clients';
import type { Queues } from '../../jobs/queues.js';
import { dispatchDailyRun, redispatchHunts } from '../../jobs/dispatch.js';
import { errors } from '../errors.js';
import { describeRoute } from '../openapi.js';

const runParams = z.object({ runId: z.guid('must be a UUID') });
const huntParams = z.object({ huntId: z.guid('must be a UUID') });

const counts = z.object({
  planned: z.int(),
  sent: z.int(),
  failed: z.int(),
  pending: z.int(),
  uncertain: z.int(),
  dryRun: z.int(),
  delivered: z.int(),
  read: z.int(),
  replied: z.int(),
});
const report = z.object({
  id: z.guid(),
  localDate: z.iso.date(),
  status: z.string(),
  startedAt: z.date(),
  finishedAt: z.date().nullable(),
  hunts: z.object({ total: z.int(), done: z.int(), failed: z.int() }),
  contacts: z.record(z.string(), counts).describe('per channel; `sent` counts what the provider accepted'),
  skipped: z.record(z.string(), z.int()).describe('ads skipped, per reason'),
});

export function registerDailyRunRoutes(
  instance: FastifyInstance,
  deps: { sql: Sql; queues: Queues; timeZone: string },
): void {
  const app = instance.withTypeProvider<ZodTypeProvider>();
  // Starts today's run; the same local day always gives the same run, driven again while not complete.
  app.post(
    ROUTES.dailyRuns,
    {
      schema: {
        ...describeRoute({ tag: 'daily runs', summary: "Starts today's run (one per local day) → 202 {runId}" }),
        response: { 202: z.object({ runId: z.guid(), localDate: z.iso.date() }), ...errors(401, 429) },
      },
    },
    async (_request, reply) => {
      const localDate = localDateOf(new Date(), deps.timeZone);
      const run = await ensureDailyRun(deps.sql, localDate);
      await dispatchDailyRun(deps.queues, localDate, run);
      return reply.code(202).send({ runId: run.id, localDate });
    },
  );

  app.get(
    ROUTES.dailyRun,
    {
      schema: {
        ...describeRoute({ tag: 'daily runs', summary: 'Progress and totals of a run' }),
        params: runParams,
        response: { 200: report, ...errors(400, 401, 404, 429) },
      },
      config: { invalid: { params: { error: 'INVALID_RUN_ID' } } },
    },
    async (request, reply) => {
      const found = await dailyRunReport(deps.sql, request.params.runId);
      if (!found) return reply.code(404).send({ error: 'NOT_FOUND', message: 'no such daily run' });
      return reply.send(found);
    },
  );

  // One hunt now, within today's limits (the hunt's count and the account's credits): again if it
  // already ran today, to use what credits bought or a fixed template since allow.
  app.post(
    ROUTES.huntRun,
    {
      schema: {
        ...describeRoute({ tag: 'daily runs', summary: "Processes one hunt now, within today's limits" }),
        params: huntParams,
        response: { 202: z.object({ huntId: z.guid(), localDate: z.iso.date() }), ...errors(400, 401, 404, 429) },
      },
      config: { invalid: { params: { error: 'INVALID_HUNT_ID' } } },
    },
    async (request, reply) => {
      const { huntId } = request.params;
      if (!(await huntExists(deps.sql, huntId)))
        return reply.code(404).send({ error: 'NOT_FOUND', message: 'no such hunt' });
      const localDate = localDateOf(new Date(), deps.timeZone);
      await redispatchHunts(deps.queues, null, localDate, [huntId]);
      return reply.code(202).send({ huntId, localDate });
    },
  );
}
