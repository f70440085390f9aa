import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { QUEUES, ROUTES, type QueueKey } from '@auto-prospect/core';
import type { Queues } from '../../jobs/queues.js';
import { describeRoute } from '../openapi.js';

const STATES = ['waiting', 'active', 'delayed', 'prioritized', 'waiting-children', 'completed', 'failed'] as const;
const byName = new Map((Object.entries(QUEUES) as [QueueKey, string][]).map(([key, name]) => [name, key]));
const jobParams = z.object({ queue: z.string(), jobId: z.string().regex(/^[\w-]{1,200}$/, 'must be a job id') });

export function registerOperationsRoutes(app: FastifyInstance, deps: { queues: Queues }): void {
  app.get(ROUTES.queues, { schema: describeRoute({ tag: 'operations', summary: 'Job counts per queue and state' }) }, async (_request, reply) => {
    const entries = await Promise.all(Object.values(deps.queues).map(async (queue) => [queue.name, await queue.getJobCounts(...STATES)] as const));
    return reply.send({ queues: Object.fromEntries(entries) });
  });

  // State, attempts and failure reason of one job; never its data or result.
  app.get(ROUTES.job, { schema: describeRoute({ tag: 'operations', summary: "A job's state, attempts and failure reason (never its data)", params: jobParams }) }, async (request, reply) => {
    const params = jobParams.safeParse(request.params);
    const key = params.success ? byName.get(params.data.queue) : undefined;
    if (!params.success || !key) return reply.code(400).send({ error: 'INVALID_JOB', message: 'unknown queue or malformed job id' });
    const job = await deps.queues[key].getJob(params.data.jobId);
    if (!job) return reply.code(404).send({ error: 'NOT_FOUND', message: 'no such job' });
    return reply.send({
      id: job.id, name: job.name, queue: params.data.queue, state: await job.getState(), attemptsMade: job.attemptsMade,
      failedReason: job.failedReason || null, createdAt: job.timestamp, processedAt: job.processedOn ?? null, finishedAt: job.finishedOn ?? null,
    });
  });
}
