// The composition root: creates every connection and service from the configuration and wires
// them together with plain factories. main.ts and the tests build the same context.
import type { Worker } from 'bullmq';
import type { FastifyInstance } from 'fastify';
import { createLobstrClient, type Env, type Logger } from '@auto-prospect/core';
import { createDatabase, createRedis, type Sql } from '@auto-prospect/core/clients';
import type { Redis } from 'ioredis';
import { buildApp } from './http/app.js';
import { createQueues, createWorker, type Queues } from './jobs/queues.js';
import { closeInOrder, closeRedis, within } from './lifecycle.js';
import { scrapingProcessor } from './processors/scraping.js';
import { createReadiness } from './readiness.js';

export interface WorkerContext {
  env: Readonly<Env>;
  logger: Logger;
  sql: Sql;
  /** Fail-fast Redis connection for producers used by HTTP handlers. */
  redis: Redis;
  queues: Queues;
  app: FastifyInstance;
  workers: readonly Worker[];
  /** Starts the workers, then listens. */
  start(): Promise<void>;
  /** Stops everything in reverse order of start; safe to call more than once. */
  close(): Promise<void>;
}

export function createContext(env: Readonly<Env>, logger: Logger): WorkerContext {
  const sql = createDatabase(env.DATABASE_URL);
  const redis = createRedis(env.REDIS_URL, 'producer');
  redis.on('error', (err: Error) => logger.warn({ err: err.message }, 'redis connection error'));
  const queues = createQueues(redis, env.QUEUE_PREFIX, logger);
  const lobstr = createLobstrClient({ baseUrl: env.LOBSTR_BASE_URL, apiKey: env.LOBSTR_API_KEY });
  const readiness = createReadiness({ redis, sql });
  const app = buildApp({ logger, readiness, sql, queues, lobstrWebhookToken: env.LOBSTR_WEBHOOK_TOKEN });

  const workers: Worker[] = [];
  let workerRedis: Redis | undefined;

  function startWorkers(): void {
    workerRedis = createRedis(env.REDIS_URL, 'worker');
    workerRedis.on('error', (err: Error) => logger.warn({ err: err.message }, 'redis (workers) connection error'));
    const deps = { connection: workerRedis, prefix: env.QUEUE_PREFIX, logger };
    const scraping: Worker = createWorker('scraping', scrapingProcessor({ sql, lobstr, logger }, () => scraping), deps);
    workers.push(scraping);
  }

  let closing: Promise<void> | undefined;
  return {
    env, logger, sql, redis, queues, app, workers,
    async start() {
      startWorkers();
      await app.listen({ port: env.PORT, host: env.HOST });
    },
    close() {
      closing ??= closeInOrder(logger, [
        ['http server', () => app.close()],
        // Active jobs get a bounded time to finish; past it they are left to stall and be retried.
        ['workers', () => within(env.SHUTDOWN_TIMEOUT_MS / 2, Promise.all(workers.map((w) => w.close())), 'closing workers')
          .catch(async (err: unknown) => {
            logger.warn({ err }, 'workers did not finish in time; forcing them closed');
            await within(1000, Promise.all(workers.map((w) => w.close(true))), 'force-closing workers');
          })],
        ['queues', () => within(1000, Promise.all(Object.values(queues).map((q) => q.close())), 'closing queues')],
        ['redis', () => Promise.all([redis, ...(workerRedis ? [workerRedis] : [])].map(closeRedis))],
        ['postgres', () => sql.end({ timeout: 5 })],
      ]);
      return closing;
    },
  };
}
