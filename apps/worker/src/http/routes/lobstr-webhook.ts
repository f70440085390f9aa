// Lobstr cannot send headers or signatures: the secret is the :token in the URL, compared in
// constant time. The run is recorded in Postgres before it is enqueued, so a retried or repeated
// webhook never ingests a run twice even after its job was removed from Redis. Under load, the
// runs announced while the event loop was busy are admitted together: one INSERT and one addBulk
// for all of them (a commit, and its WAL flush, per batch rather than per request).
import DataLoader from 'dataloader';
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { admitLobstrRuns, JOB_IDS, JOBS, LIMITS, ROUTES, type AnnouncedRun } from '@auto-prospect/core';
import type { Sql } from '@auto-prospect/core/clients';
import type { Queues } from '../../jobs/queues.js';
import { requireUrlToken } from '../auth.js';
import { errors } from '../errors.js';
import { describeRoute } from '../openapi.js';

/** Lobstr ids ("hashes") are 32 lowercase hex characters (providers.md §3). */
const LOBSTR_HASH = /^[0-9a-f]{32}$/;

const webhookBody = z.looseObject({
  id: z.string().regex(LOBSTR_HASH, 'must be a 32-character run hash'),
  event: z.string().min(1),
  // Stored with the run: anything but a hash (a NUL character Postgres refuses, …) is a 400, never a 500.
  squid: z.looseObject({ id: z.string().regex(LOBSTR_HASH, 'must be a 32-character squid hash') }).optional(),
});

interface LobstrWebhookDeps {
  sql: Sql;
  queues: Queues;
  webhookToken: string;
  perMinute: number;
}

/**
 * Admits runs in batches: every run announced in one turn of the event loop (setImmediate runs
 * once the pending I/O has been read) is recorded, and enqueued when due, together. A failed batch
 * fails each of its requests, and Lobstr's retry admits them again.
 */
function runAdmissions(deps: LobstrWebhookDeps): DataLoader<AnnouncedRun, void> {
  return new DataLoader(
    async (runs) => {
      const admissions = await admitLobstrRuns(deps.sql, runs);
      const due = [...admissions].filter(([, admission]) => admission === 'enqueue').map(([runId]) => runId);
      if (due.length > 0)
        await deps.queues.scraping.addBulk(
          due.map((runId) => ({
            name: JOBS.ingestLobstrRun,
            data: { lobstrRunId: runId },
            opts: { jobId: JOB_IDS.lobstrRun(runId) },
          })),
        );
      return runs.map(() => undefined);
    },
    { cache: false, batchScheduleFn: (flush) => setImmediate(flush), maxBatchSize: LIMITS.fanoutChunk },
  );
}

export function registerLobstrWebhook(instance: FastifyInstance, deps: LobstrWebhookDeps): void {
  const admissions = runAdmissions(deps);
  instance.withTypeProvider<ZodTypeProvider>().post(
    ROUTES.lobstrWebhook,
    {
      bodyLimit: LIMITS.webhookBodyBytes,
      schema: {
        ...describeRoute({ tag: 'webhooks', summary: 'Lobstr run webhook: run.done is ingested once', bearer: false }),
        params: z.object({ token: z.string() }),
        body: webhookBody,
        response: {
          200: z.object({ ignored: z.literal(true), event: z.string() }).describe('another event than run.done'),
          202: z.object({ runId: z.string() }),
          ...errors(400, 401, 429),
        },
      },
      onRequest: requireUrlToken(deps.webhookToken),
      // The URL holds the secret: keep it out of request logs.
      logLevel: 'warn',
      config: {
        rateLimit: { max: deps.perMinute, timeWindow: 60_000 },
        invalid: { body: { error: 'INVALID_PAYLOAD' } },
      },
    },
    async (request, reply) => {
      const { id: runId, event, squid } = request.body;
      if (event !== 'run.done') return reply.code(200).send({ ignored: true, event });

      await admissions.load({ runId, squidId: squid?.id ?? null });
      return reply.code(202).send({ runId });
    },
  );
}
