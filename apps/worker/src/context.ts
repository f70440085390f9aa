// The composition root: creates every connection and service from the configuration and wires
// them together with plain factories. main.ts and the tests build the same context.
import type { Worker } from 'bullmq';
import type { FastifyInstance } from 'fastify';
import {
  CHANNEL_QUEUES, createLobstrClient, createSmsMobileApiSentLog, errorCodeOf, markUncertain, createSendPacer, createSmsMobileApiInbox, createSmsMobileApiSender, createVoicePartnerSender,
  createVoiceRequestPace, sendingWindow, ROUTES, TIMEOUTS_MS, WORKER_ROLES, type Env,
  type ChannelSender, type Logger, type QueueKey, type VoiceCampaignSender,
} from '@auto-prospect/core';
import {
  baileysSocketFactory, createDatabase, createRedis, createWhatsAppConnections, createWhatsAppSender, type Sql,
  type RedisClient, type WhatsAppConnections, type WhatsAppSocketFactory,
} from '@auto-prospect/core/clients';
import { buildApp } from './http/app.js';
import { dispatchHunts, dispatchMessages, redispatchHunts } from './jobs/dispatch.js';
import { createQueues, type Queues } from './jobs/queues.js';
import { createWorker } from './jobs/workers.js';
import { createSchedulers } from './jobs/schedulers.js';
import { watchLostHunts, type LostHuntsWatch } from './jobs/lost-hunts.js';
import { listenForWhatsAppFeedback, type WhatsAppListener } from './jobs/listen-whatsapp.js';
import { closeInOrder, closeRedis, within } from './lifecycle.js';
import { fetchActiveHuntsProcessor } from './processors/fetch-active-hunts.js';
import { processHuntProcessor } from './processors/process-hunt.js';
import { maintenanceProcessor } from './processors/maintenance.js';
import { scrapingProcessor } from './processors/scraping.js';
import { sendMessageProcessor } from './processors/send-message.js';
import { sendVoiceBatchProcessor } from './processors/send-voice-batch.js';
import { createErrorReporter } from './error-reporting.js';
import { createMetrics } from './metrics.js';
import { createReadiness } from './readiness.js';

/** Postgres answers that waiting cannot fix: no such database, wrong credentials, no such role. */
const POSTGRES_SETUP_ERRORS = new Set(['3D000', '28P01', '28000']);

export interface WorkerContext {
  env: Readonly<Env>;
  logger: Logger;
  sql: Sql;
  /** Fail-fast Redis connection for producers used by HTTP handlers. */
  redis: RedisClient;
  queues: Queues;
  /** Live WhatsApp sockets of this process (sending and linking accounts). */
  whatsapp: WhatsAppConnections;
  app: FastifyInstance;
  workers: readonly Worker[];
  /** Upserts the schedulers, starts the workers, then listens. */
  start(): Promise<void>;
  /** Stops everything in reverse order of start; safe to call more than once. */
  close(): Promise<void>;
}

/** Seams for tests: what stands in for WhatsApp's servers, and how soon idle sockets close. */
export interface ContextOptions {
  whatsappSocketFactory?: WhatsAppSocketFactory;
  whatsappIdleMs?: number;
}

export function createContext(env: Readonly<Env>, logger: Logger, options: ContextOptions = {}): WorkerContext {
  const sql = createDatabase(env.DATABASE_URL);
  const redis = createRedis(env, 'producer');
  redis.on('error', (err: Error) => logger.warn({ err: err.message }, 'redis connection error'));
  const workerRedis = createRedis(env, 'worker');
  workerRedis.on('error', (err: Error) => logger.warn({ err: err.message }, 'redis (workers) connection error'));
  const queues = createQueues(redis, env.QUEUE_PREFIX, logger);
  const lobstr = createLobstrClient({ baseUrl: env.LOBSTR_BASE_URL, apiKey: env.LOBSTR_API_KEY });
  const whatsapp = createWhatsAppConnections({
    sql, redis: workerRedis, prefix: env.QUEUE_PREFIX, encryptionKey: env.WHATSAPP_ENCRYPTION_KEY, logger,
    socketFactory: options.whatsappSocketFactory ?? baileysSocketFactory,
    ...(options.whatsappIdleMs === undefined ? {} : { idleMs: options.whatsappIdleMs }),
  });
  const schedulers = createSchedulers(queues, env, logger);
  const window = sendingWindow(env.SENDING_WINDOWS, env.OUTREACH_TIMEZONE);
  const huntDeps = {
    sql,
    logger,
    window,
    smsKeyEncryptionKey: env.SMS_API_KEY_ENCRYPTION_KEY,
    whatsappDailyCap: env.WHATSAPP_DAILY_CAP,
    // Plans spread one account's messages at the average pacing gap (1.5× the minimum).
    spacingMs: {
      sms: env.SMS_MIN_GAP_SECONDS * 1500,
      whatsapp_text: env.WHATSAPP_MIN_GAP_SECONDS * 1500,
      // No spacing: an account's voice messages fall due together, to go out in one request.
      ringless_voice: 0,
    },
    dispatch: (messages: Parameters<typeof dispatchMessages>[1]) => dispatchMessages(queues, messages),
  };
  const workers: Worker[] = [];
  const readiness = createReadiness({ redis, sql, workers: () => workers, schedulers, logger });
  const errors = createErrorReporter(env.SENTRY_DSN);
  const metrics = createMetrics({ sql, queues, schedulers, timeZone: env.OUTREACH_TIMEZONE });
  const app = buildApp({ logger, redis, readiness, sql, queues, env, whatsapp, metrics, errors, handOver: huntDeps });

  // Messages whose provider call is under way in this process: at shutdown, any still unanswered
  // become `uncertain` (they may have been sent), never left claimed without an outcome.
  const inFlight = new Set<string>();
  async function track<T>(provider: string, messageIds: readonly string[], call: () => Promise<T>): Promise<T> {
    for (const id of messageIds) inFlight.add(id);
    const started = performance.now();
    let outcome = 'accepted';
    try {
      return await call();
    } catch (err) {
      outcome = errorCodeOf(err);
      throw err;
    } finally {
      for (const id of messageIds) inFlight.delete(id);
      metrics.providerCalls.observe({ provider, outcome }, (performance.now() - started) / 1000);
    }
  }
  const tracked = (provider: string, sender: ChannelSender): ChannelSender => ({
    send: (message) => track(provider, [message.messageId], () => sender.send(message)),
  });
  const voiceSender = createVoicePartnerSender({
    baseUrl: env.VOICE_PARTNER_BASE_URL, apiKey: env.VOICE_PARTNER_API_KEY,
    notificationEmail: env.VOICE_PARTNER_NOTIFICATION_EMAIL, timeoutMs: env.PROVIDER_TIMEOUT_MS,
  });
  const trackedVoice: VoiceCampaignSender = { send: (campaign) => track('voicepartner', campaign.messageIds, () => voiceSender.send(campaign)) };
  const deliverDeps = {
    ...huntDeps,
    dryRun: env.DRY_RUN,
    pacer: createSendPacer(workerRedis, env.QUEUE_PREFIX, { sms: env.SMS_MIN_GAP_SECONDS, whatsapp_text: env.WHATSAPP_MIN_GAP_SECONDS }),
    senders: {
      sms: tracked('smsmobileapi', createSmsMobileApiSender({ baseUrl: env.SMSMOBILEAPI_BASE_URL, timeoutMs: env.PROVIDER_TIMEOUT_MS })),
      whatsapp_text: tracked('whatsapp', createWhatsAppSender(whatsapp)),
    },
  };
  const notifyPath = ROUTES.voicePartnerNotify.replace(':token', encodeURIComponent(env.VOICE_PARTNER_NOTIFY_TOKEN));
  const publicBase = env.PUBLIC_BASE_URL?.replace(/\/+$/, '');
  const voiceDeps = {
    ...huntDeps,
    dryRun: env.DRY_RUN,
    sender: trackedVoice,
    pace: createVoiceRequestPace(workerRedis, env.QUEUE_PREFIX, { requests: env.VOICE_REQUESTS_PER_MINUTE, windowSeconds: env.VOICE_RATE_WINDOW_SECONDS }),
    // The batch's leader names the batch in Voice Partner's callback (its parameters are undocumented).
    notifyUrl: publicBase ? (leaderId: string) => `${publicBase}${notifyPath}?batch=${leaderId}` : null,
  };

  function startWorkers(): void {
    const deps = { connection: workerRedis, prefix: env.QUEUE_PREFIX, logger, lockMs: env.STALLED_JOB_SECONDS * 1000, metrics, errors };
    const runs = new Set<QueueKey>(env.WORKER_ROLES.flatMap((role) => WORKER_ROLES[role]));
    // Each processor reaches its own worker (for rate limiting) once the worker exists.
    const add = (queue: QueueKey, create: (self: () => Worker | undefined) => Worker) => {
      if (!runs.has(queue)) return;
      const worker: Worker = create(() => worker);
      workers.push(worker);
    };
    add('scraping', (self) => createWorker('scraping', scrapingProcessor({ sql, lobstr, logger }, self), deps));
    add('fetchActiveHunts', (self) => createWorker('fetchActiveHunts', fetchActiveHuntsProcessor({
      sql, logger, timeZone: env.OUTREACH_TIMEZONE,
      dispatchHunts: (runId, localDate, huntIds) => dispatchHunts(queues, runId, localDate, huntIds),
      redispatchHunts: (runId, localDate, huntIds) => redispatchHunts(queues, runId, localDate, huntIds),
    }, self), deps));
    add('processHunt', (self) => createWorker('processHunt', processHuntProcessor(huntDeps, self), { ...deps, concurrency: env.HUNT_CONCURRENCY }));
    add('maintenance', (self) => createWorker('maintenance', maintenanceProcessor({
      sql, queues, logger, smsKeyEncryptionKey: env.SMS_API_KEY_ENCRYPTION_KEY,
      // In dry run no provider is called at all: no reply poll, nothing sent to look up.
      inbox: env.DRY_RUN ? null : createSmsMobileApiInbox({ baseUrl: env.SMSMOBILEAPI_BASE_URL, timeoutMs: env.PROVIDER_TIMEOUT_MS }),
      sentLog: env.DRY_RUN ? null : createSmsMobileApiSentLog({ baseUrl: env.SMSMOBILEAPI_BASE_URL, timeoutMs: env.PROVIDER_TIMEOUT_MS }),
    }, self), deps));
    for (const queue of [CHANNEL_QUEUES.sms, CHANNEL_QUEUES.whatsapp_text]) {
      add(queue, (self) => createWorker(queue, sendMessageProcessor(queue, deliverDeps, self), deps));
    }
    add(CHANNEL_QUEUES.ringless_voice, (self) => createWorker(CHANNEL_QUEUES.ringless_voice, sendVoiceBatchProcessor(voiceDeps, self), deps));
  }

  /**
   * Workers only start once Redis and Postgres answer (bounded: the supervisor restarts us). A
   * wrong database or credentials will not come right by waiting: said at once, with the fix.
   */
  async function waitForDependencies(): Promise<void> {
    const started = Date.now();
    for (;;) {
      const report = await readiness.dependencies();
      if (report.ready) return;
      const postgres = report.checks.postgres;
      if (postgres?.code && POSTGRES_SETUP_ERRORS.has(postgres.code)) {
        throw new Error(`postgres: ${postgres.error ?? postgres.code}; fix DATABASE_URL, or create the database (createdb) and run \`pnpm db:migrate\``);
      }
      if (Date.now() - started > TIMEOUTS_MS.dependenciesAtBoot) throw new Error(`dependencies not ready: ${report.failing.join(', ')}`);
      // Connections take a moment to open: only a wait that lasts is worth a warning.
      if (Date.now() - started > 2_000) logger.warn({ failing: report.failing }, 'waiting for dependencies');
      await new Promise((r) => setTimeout(r, 500));
    }
  }

  let lostHunts: LostHuntsWatch | undefined;
  let whatsappListener: WhatsAppListener | undefined;
  let closing: Promise<void> | undefined;
  return {
    env, logger, sql, redis, queues, whatsapp, app, workers,
    async start() {
      await waitForDependencies();
      if (env.WORKER_ROLES.includes('orchestration')) {
        await schedulers.upsert();
        schedulers.keepAlive(redis);
        lostHunts = watchLostHunts({ queues, env, sql, logger });
      }
      startWorkers();
      // In dry run nothing was sent, so there is nothing to hear back.
      if (env.WORKER_ROLES.includes('whatsapp') && !env.DRY_RUN) {
        whatsappListener = listenForWhatsAppFeedback({ sql, whatsapp, logger, periodMs: env.WHATSAPP_LISTEN_PERIOD_SECONDS * 1000 });
      }
      await app.listen({ port: env.PORT, host: env.HOST });
    },
    close() {
      closing ??= closeInOrder(logger, [
        ['schedulers', () => schedulers.stop()],
        ['whatsapp listener', () => whatsappListener?.stop()],
        ['http server', () => app.close()],
        // Active jobs get a bounded time to finish; past it they are left to stall and be retried.
        ['workers', () => within(env.SHUTDOWN_TIMEOUT_MS / 2, Promise.all(workers.map((w) => w.close())), 'closing workers')
          .catch(async (err: unknown) => {
            logger.warn({ err }, 'workers did not finish in time; forcing them closed');
            await within(1000, Promise.all(workers.map((w) => w.close(true))), 'force-closing workers');
          })],
        ['unanswered sends', () => Promise.all([...inFlight].map(async (messageId) => {
          const failure = { code: 'INTERRUPTED_BY_SHUTDOWN', message: 'the worker stopped while the provider call was under way' };
          if (await markUncertain(sql, messageId, failure)) errors.messageUncertain({ messageId, errorCode: failure.code });
        }))],
        ['whatsapp sockets', () => whatsapp.closeAll()],
        ['hunt events', () => lostHunts?.close()],
        ['queues', () => within(1000, Promise.all(Object.values(queues).map((q) => q.close())), 'closing queues')],
        ['redis', () => Promise.all([redis, workerRedis].map(closeRedis))],
        ['postgres', () => sql.end({ timeout: 5 })],
        ['error reports', () => errors.flush()],
      ]);
      return closing;
    },
  };
}
