import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { dailyRunReport, ensureDailyRun, huntExists, localDateOf, ROUTES } from '@auto-prospect/core';
import type { Sql } from '@auto-prospect/core/clients';
import type { Queues } from '../../jobs/queues.js';
import { dispatchDailyRun, dispatchHunts } from '../../jobs/dispatch.js';
import { describeRoute } from '../openapi.js';

const runParams = z.object({ runId: z.uuid() });
const huntParams = z.object({ huntId: z.uuid() });

export function registerDailyRunRoutes(app: FastifyInstance, deps: { sql: Sql; queues: Queues; timeZone: string }): void {
  // Starts today's run; the same local day always gives the same run, driven again while not complete.
  app.post(ROUTES.dailyRuns, { schema: describeRoute({ tag: 'daily runs', summary: "Starts today's run (one per local day) → 202 {runId}" }) }, async (_request, reply) => {
    const localDate = localDateOf(new Date(), deps.timeZone);
    const run = await ensureDailyRun(deps.sql, localDate);
    await dispatchDailyRun(deps.queues, localDate, run);
    return reply.code(202).send({ runId: run.id, localDate });
  });

  app.get(ROUTES.dailyRun, { schema: describeRoute({ tag: 'daily runs', summary: 'Progress and totals of a run', params: runParams }) }, async (request, reply) => {
    const params = runParams.safeParse(request.params);
    if (!params.success) return reply.code(400).send({ error: 'INVALID_RUN_ID', message: 'runId must be a UUID' });
    const report = await dailyRunReport(deps.sql, params.data.runId);
    if (!report) return reply.code(404).send({ error: 'NOT_FOUND', message: 'no such daily run' });
    return reply.send(report);
  });

  // One hunt now, within today's limits (the hunt's count and the account's credits).
  app.post(ROUTES.huntRun, { schema: describeRoute({ tag: 'daily runs', summary: "Processes one hunt now, within today's limits", params: huntParams }) }, async (request, reply) => {
    const params = huntParams.safeParse(request.params);
    if (!params.success) return reply.code(400).send({ error: 'INVALID_HUNT_ID', message: 'huntId must be a UUID' });
    if (!(await huntExists(deps.sql, params.data.huntId))) return reply.code(404).send({ error: 'NOT_FOUND', message: 'no such hunt' });
    const localDate = localDateOf(new Date(), deps.timeZone);
    await dispatchHunts(deps.queues, null, localDate, [params.data.huntId]);
    return reply.code(202).send({ huntId: params.data.huntId, localDate });
  });
}
