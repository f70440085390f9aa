// The processors this process runs (WORKER_ROLES), each on its queue's worker.
import { randomUUID } from 'node:crypto';
import type { Worker } from 'bullmq';
import {
  acquireLease,
  CHANNEL_QUEUES,
  createLobstrClient,
  createSmsMobileApiInbox,
  createSmsMobileApiSentLog,
  TIMEOUTS_MS,
  WORKER_ROLES,
  type Env,
  type Logger,
  type ProcessHuntDeps,
  type QueueKey,
  type SendMessageDeps,
  type SendVoiceBatchDeps,
} from '@auto-prospect/core';
import type { RedisClient, Sql } from '@auto-prospect/core/clients';
import type { ErrorReporter } from '../error-reporting.js';
import type { Metrics } from '../metrics.js';
import { dispatchHunts, redispatchHunts } from '../jobs/dispatch.js';
import type { Queues } from '../jobs/queues.js';
import { createWorker } from '../jobs/workers.js';
import { fetchActiveHuntsProcessor } from '../processors/fetch-active-hunts.js';
import { maintenanceProcessor, type MaintenanceDeps } from '../processors/maintenance.js';
import { processHuntProcessor } from '../processors/process-hunt.js';
import { scrapingProcessor } from '../processors/scraping.js';
import { sendMessageProcessor } from '../processors/send-message.js';
import { sendVoiceBatchProcessor } from '../processors/send-voice-batch.js';

export interface WorkerParts {
  env: Readonly<Env>;
  sql: Sql;
  logger: Logger;
  queues: Queues;
  connection: RedisClient;
  metrics: Metrics;
  errors: ErrorReporter;
  hunt: ProcessHuntDeps;
  sendMessage: SendMessageDeps;
  voiceBatch: SendVoiceBatchDeps;
}

function fetchActiveHuntsDeps({ env, sql, logger, queues }: WorkerParts) {
  return {
    sql,
    logger,
    timeZone: env.OUTREACH_TIMEZONE,
    dispatchHunts: (runId: string, localDate: string, huntIds: readonly string[]) =>
      dispatchHunts(queues, runId, localDate, huntIds),
    redispatchHunts: (runId: string, localDate: string, huntIds: readonly string[]) =>
      redispatchHunts(queues, runId, localDate, huntIds),
  };
}

function maintenanceDeps({ env, sql, logger, queues, connection, hunt }: WorkerParts): MaintenanceDeps {
  const provider = { baseUrl: env.SMSMOBILEAPI_BASE_URL, timeoutMs: env.PROVIDER_TIMEOUT_MS };
  return {
    sql,
    queues,
    window: hunt.window,
    logger,
    smsKeyEncryptionKey: env.SMS_API_KEY_ENCRYPTION_KEY,
    // In dry run no provider is called at all: no reply poll, nothing sent to look up.
    inbox: env.DRY_RUN ? null : createSmsMobileApiInbox(provider),
    sentLog: env.DRY_RUN ? null : createSmsMobileApiSentLog(provider),
    pollLease: () =>
      acquireLease(connection, `${env.QUEUE_PREFIX}:sms-reply-poll`, randomUUID(), TIMEOUTS_MS.smsReplyPollLease, () =>
        logger.warn('the SMS reply poll lost its lease: another poll may start'),
      ),
  };
}

export function startWorkers(parts: WorkerParts): Worker[] {
  const { env, sql, logger } = parts;
  const deps = {
    connection: parts.connection,
    prefix: env.QUEUE_PREFIX,
    logger,
    lockMs: env.STALLED_JOB_SECONDS * 1000,
    metrics: parts.metrics,
    errors: parts.errors,
  };
  const runs = new Set<QueueKey>(env.WORKER_ROLES.flatMap((role) => WORKER_ROLES[role]));
  const workers: Worker[] = [];
  // Each processor reaches its own worker (for rate limiting) once the worker exists.
  const add = (queue: QueueKey, create: (self: () => Worker | undefined) => Worker) => {
    if (!runs.has(queue)) return;
    const worker: Worker = create(() => worker);
    workers.push(worker);
  };
  const lobstr = createLobstrClient({ baseUrl: env.LOBSTR_BASE_URL, apiKey: env.LOBSTR_API_KEY });
  add('scraping', (self) => createWorker('scraping', scrapingProcessor({ sql, lobstr, logger }, self), deps));
  add('fetchActiveHunts', (self) =>
    createWorker('fetchActiveHunts', fetchActiveHuntsProcessor(fetchActiveHuntsDeps(parts), self), deps),
  );
  add('processHunt', (self) =>
    createWorker('processHunt', processHuntProcessor(parts.hunt, self), { ...deps, concurrency: env.HUNT_CONCURRENCY }),
  );
  add('maintenance', (self) => createWorker('maintenance', maintenanceProcessor(maintenanceDeps(parts), self), deps));
  for (const channel of ['sms', 'whatsapp_text'] as const) {
    const queue = CHANNEL_QUEUES[channel];
    add(queue, (self) => createWorker(queue, sendMessageProcessor(channel, parts.sendMessage, self), deps));
  }
  add(CHANNEL_QUEUES.ringless_voice, (self) =>
    createWorker(CHANNEL_QUEUES.ringless_voice, sendVoiceBatchProcessor(parts.voiceBatch, self), deps),
  );
  return workers;
}
