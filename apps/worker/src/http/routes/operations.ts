import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { QUEUES, ROUTES, type QueueKey } from '@auto-prospect/core';
import type { Queues } from '../../jobs/queues.js';
import { errors } from '../errors.js';
import { describeRoute } from '../openapi.js';

const STATES = ['waiting', 'active', 'delayed', 'prioritized', 'waiting-children', 'completed', 'failed'] as const;
const byName = new Map((Object.entries(QUEUES) as [QueueKey, string][]).map(([key, name]) => [name, key]));
const jobParams = z.object({
  queue: z.enum([...byName.keys()]),
  jobId: z.string().regex(/^[\w-]{1,200}$/, 'must be a job id'),
});

const queueCounts = z.object({
  queues: z.record(z.string(), z.record(z.string(), z.int())).describe('per queue, job counts per state'),
});
const job = z.object({
  id: z.string().optional(),
  name: z.string(),
  queue: z.string(),
  state: z.string(),
  attemptsMade: z.int(),
  failedReason: z.string().nullable(),
  createdAt: z.int().describe('epoch ms'),
  processedAt: z.int().nullable(),
  finishedAt: z.int().nullable(),
});

export function registerOperationsRoutes(instance: FastifyInstance, deps: { queues: Queues }): void {
  const app = instance.withTypeProvider<ZodTypeProvider>();
  app.get(
    ROUTES.queues,
    {
      schema: {
        ...describeRoute({ tag: 'operations', summary: 'Job counts per queue and state' }),
        response: { 200: queueCounts, ...errors(401, 429) },
      },
    },
    async (_request, reply) => {
      const entries = await Promise.all(
        Object.values(deps.queues).map(async (queue) => [queue.name, await queue.getJobCounts(...STATES)] as const),
      );
      return reply.send({ queues: Object.fromEntries(entries) });
    },
  );

  // State, attempts and failure reason of one job; never its data or result.
  app.get(
    ROUTES.job,
    {
      schema: {
        ...describeRoute({ tag: 'operations', summary: "A job's state, attempts and failure reason (never its data)" }),
        params: jobParams,
        response: { 200: job, ...errors(400, 401, 404, 429) },
      },
      config: { invalid: { params: { error: 'INVALID_JOB', message: 'unknown queue or malformed job id' } } },
    },
    async (request, reply) => {
      const { queue, jobId } = request.params;
      const found = await deps.queues[byName.get(queue)!].getJob(jobId);
      if (!found) return reply.code(404).send({ error: 'NOT_FOUND', message: 'no such job' });
      return reply.send({
        id: found.id,
        name: found.name,
        queue,
        state: await found.getState(),
        attemptsMade: found.attemptsMade,
        failedReason: found.failedReason || null,
        createdAt: found.timestamp,
        processedAt: found.processedOn ?? null,
        finishedAt: found.finishedOn ?? null,
      });
    },
  );
}
