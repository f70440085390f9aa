// The composition root: creates every connection and service from the configuration and wires
// them together with plain factories. main.ts and the tests build the same context.
import type { FastifyInstance } from 'fastify';
import type { Env, Logger } from '@auto-prospect/core';
import { createDatabase, createRedis, type Sql } from '@auto-prospect/core/clients';
import type { Redis } from 'ioredis';
import { buildApp } from './http/app.js';
import { createReadiness } from './readiness.js';
import { closeInOrder } from './lifecycle.js';

export interface WorkerContext {
  env: Readonly<Env>;
  logger: Logger;
  sql: Sql;
  /** Fail-fast Redis connection for producers used by HTTP handlers. */
  redis: Redis;
  app: FastifyInstance;
  /** Starts listening. */
  start(): Promise<void>;
  /** Stops everything in reverse order of start; safe to call more than once. */
  close(): Promise<void>;
}

export function createContext(env: Readonly<Env>, logger: Logger): WorkerContext {
  const sql = createDatabase(env.DATABASE_URL);
  const redis = createRedis(env.REDIS_URL, 'producer');
  redis.on('error', (err: Error) => logger.warn({ err: err.message }, 'redis connection error'));
  const readiness = createReadiness({ redis, sql });
  const app = buildApp({ logger, readiness });

  let closing: Promise<void> | undefined;
  return {
    env,
    logger,
    sql,
    redis,
    app,
    async start() {
      await app.listen({ port: env.PORT, host: env.HOST });
    },
    close() {
      closing ??= closeInOrder(logger, [
        ['http server', () => app.close()],
        ['redis', async () => void (await redis.quit().catch(() => redis.disconnect()))],
        ['postgres', () => sql.end({ timeout: 5 })],
      ]);
      return closing;
    },
  };
}
