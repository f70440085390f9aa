// The composition root: creates every connection and service from the configuration and wires
// them together with plain factories. main.ts and the tests build the same context.
import type { Worker } from 'bullmq';
import type { FastifyInstance } from 'fastify';
import type { Env, Logger } from '@auto-prospect/core';
import {
  baileysSocketFactory,
  createDatabase,
  createRedis,
  createWhatsAppConnections,
  type Sql,
  type RedisClient,
  type WhatsAppConnections,
  type WhatsAppSocketFactory,
} from '@auto-prospect/core/clients';
import { buildApp } from './http/app.js';
import { createQueues, type Queues } from './jobs/queues.js';
import { createSchedulers } from './jobs/schedulers.js';
import { watchLostHunts, type LostHuntsWatch } from './jobs/lost-hunts.js';
import { listenForWhatsAppFeedback, type WhatsAppListener } from './jobs/listen-whatsapp.js';
import { closeInOrder, closeRedis, within, type CloseStep } from './lifecycle.js';
import { createErrorReporter } from './error-reporting.js';
import { createMetrics } from './metrics.js';
import { createReadiness } from './readiness.js';
import { createInFlightSends } from './wiring/in-flight-sends.js';
import { startWorkers } from './wiring/start-workers.js';
import { huntDependencies, sendMessageDependencies, voiceBatchDependencies } from './wiring/usecase-deps.js';
import { waitForDependencies } from './wiring/wait-for-dependencies.js';

export interface WorkerContext {
  env: Readonly<Env>;
  logger: Logger;
  sql: Sql;
  /** Fail-fast Redis connection of every queue (producers) and of the HTTP rate limits. */
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

function connectRedis(env: Readonly<Env>, logger: Logger, role: 'producer' | 'worker'): RedisClient {
  const redis = createRedis(env, role);
  redis.on('error', (err: Error) => logger.warn({ err: err.message, role }, 'redis connection error'));
  return redis;
}

/** Active jobs get a bounded time to finish; past it they are left to stall and be retried. */
async function closeWorkers(workers: readonly Worker[], ms: number, logger: Logger): Promise<void> {
  await within(ms, Promise.all(workers.map((w) => w.close())), 'closing workers').catch(async (err: unknown) => {
    logger.warn({ err }, 'workers did not finish in time; forcing them closed');
    await within(1000, Promise.all(workers.map((w) => w.close(true))), 'force-closing workers');
  });
}

/** Every connection and service of a process, created before anything starts. */
function createParts(env: Readonly<Env>, logger: Logger, options: ContextOptions) {
  const sql = createDatabase(env.DATABASE_URL);
  const redis = connectRedis(env, logger, 'producer');
  const workerRedis = connectRedis(env, logger, 'worker');
  const queues = createQueues(redis, env.QUEUE_PREFIX, logger);
  const whatsapp = createWhatsAppConnections({
    sql,
    redis: workerRedis,
    prefix: env.QUEUE_PREFIX,
    encryptionKey: env.WHATSAPP_ENCRYPTION_KEY,
    logger,
    socketFactory: options.whatsappSocketFactory ?? baileysSocketFactory,
    idleMs: options.whatsappIdleMs,
    requestTimeoutMs: env.PROVIDER_TIMEOUT_MS,
  });
  const schedulers = createSchedulers(queues, env, logger);
  const workers: Worker[] = [];
  const readiness = createReadiness({ redis, sql, workers: () => workers, schedulers, logger });
  const errors = createErrorReporter(env.SENTRY_DSN);
  const metrics = createMetrics({ sql, queues, schedulers, timeZone: env.OUTREACH_TIMEZONE });
  const hunt = huntDependencies(env, sql, logger, queues);
  const app = buildApp({ logger, redis, readiness, sql, queues, env, whatsapp, metrics, errors, handOver: hunt });
  const inFlight = createInFlightSends(metrics);
  return {
    env,
    logger,
    sql,
    redis,
    workerRedis,
    queues,
    whatsapp,
    schedulers,
    workers,
    readiness,
    errors,
    metrics,
    hunt,
    app,
    inFlight,
  };
}
type Parts = ReturnType<typeof createParts>;

/** What start() opened beyond the parts, for close() to stop. */
interface Running {
  lostHunts?: LostHuntsWatch;
  whatsappListener?: WhatsAppListener;
}

async function start(p: Parts, running: Running): Promise<void> {
  const { env, sql, logger, queues, whatsapp } = p;
  await waitForDependencies(p.readiness, logger);
  if (env.WORKER_ROLES.includes('orchestration')) {
    await p.schedulers.upsert();
    p.schedulers.keepAlive(p.redis);
    running.lostHunts = watchLostHunts({ queues, env, sql, logger });
  }
  const sending = { env, hunt: p.hunt, redis: p.workerRedis, whatsapp, inFlight: p.inFlight };
  p.workers.push(
    ...startWorkers({
      env,
      sql,
      logger,
      queues,
      connection: p.workerRedis,
      metrics: p.metrics,
      errors: p.errors,
      hunt: p.hunt,
      sendMessage: sendMessageDependencies(sending),
      voiceBatch: voiceBatchDependencies(sending),
    }),
  );
  // In dry run nothing was sent, so there is nothing to hear back.
  if (env.WORKER_ROLES.includes('whatsapp') && !env.DRY_RUN) {
    const periodMs = env.WHATSAPP_LISTEN_PERIOD_SECONDS * 1000;
    running.whatsappListener = listenForWhatsAppFeedback({ sql, whatsapp, logger, periodMs });
  }
  await p.app.listen({ port: env.PORT, host: env.HOST });
}

/** Stops everything in reverse order of start. */
function closeSteps(p: Parts, running: Running): CloseStep[] {
  return [
    ['schedulers', () => p.schedulers.stop()],
    ['whatsapp listener', () => running.whatsappListener?.stop()],
    ['http server', () => p.app.close()],
    ['waiting sends', () => p.inFlight.stop()],
    ['workers', () => closeWorkers(p.workers, p.env.SHUTDOWN_TIMEOUT_MS / 2, p.logger)],
    ['unanswered sends', () => p.inFlight.markUnansweredUncertain(p.sql, p.errors)],
    ['whatsapp sockets', () => p.whatsapp.closeAll()],
    ['hunt events', () => running.lostHunts?.close()],
    ['queues', () => within(1000, Promise.all(Object.values(p.queues).map((q) => q.close())), 'closing queues')],
    ['redis', () => Promise.all([p.redis, p.workerRedis].map(closeRedis))],
    ['postgres', () => p.sql.end({ timeout: 5 })],
    ['error reports', () => p.errors.flush()],
  ];
}

export function createContext(env: Readonly<Env>, logger: Logger, options: ContextOptions = {}): WorkerContext {
  const parts = createParts(env, logger, options);
  const running: Running = {};
  let closing: Promise<void> | undefined;
  const { sql, redis, queues, whatsapp, app, workers } = parts;
  return {
    env,
    logger,
    sql,
    redis,
    queues,
    whatsapp,
    app,
    workers,
    start: () => start(parts, running),
    close() {
      closing ??= closeInOrder(logger, closeSteps(parts, running));
      return closing;
    },
  };
}
