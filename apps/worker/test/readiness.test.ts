import { once } from 'node:events';
import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger, parseEnv, ROUTES, SCHEDULERS } from '@auto-prospect/core';
import { createTestDatabase, createTestQueuePrefix, testEnv, type TestDatabase } from '@auto-prospect/testkit';
import { createContext, type WorkerContext } from '../src/context.js';
import { freePort } from './support/free-port.js';

let db: TestDatabase;
const contexts: WorkerContext[] = [];

function context(overrides: Record<string, string>, logger = createLogger('silent')): WorkerContext {
  const env = parseEnv(testEnv({ DATABASE_URL: db.url, ...overrides }));
  const created = createContext(env, logger);
  contexts.push(created);
  return created;
}

beforeAll(async () => {
  db = await createTestDatabase();
});

afterAll(async () => {
  await Promise.all(contexts.map((c) => c.close()));
  await db.drop();
});

describe('health routes', () => {
  it('live answers 200 and ready checks Redis and Postgres', async () => {
    const { app, redis } = context({});
    if (redis.status !== 'ready') await once(redis, 'ready');
    expect((await app.inject(ROUTES.healthLive)).statusCode).toBe(200);
    const ready = await app.inject(ROUTES.healthReady);
    expect(ready.statusCode).toBe(200);
    expect(ready.json()).toMatchObject({
      ready: true,
      failing: [],
      checks: { redis: { ok: true }, postgres: { ok: true } },
    });
  });

  it('ready stays 200 but names a late daily run and a missing job scheduler', { timeout: 20_000 }, async () => {
    const prefix = createTestQueuePrefix();
    try {
      const started = context({ QUEUE_PREFIX: prefix.prefix, PORT: '0', WORKER_ROLES: 'orchestration' });
      await started.start();
      const warnings = async () =>
        (await started.app.inject(ROUTES.healthReady)).json<{ warnings: string[] }>().warnings;
      expect(await warnings()).toEqual([]);

      await started.sql`
        insert into daily_runs (local_date, started_at) values ('2026-01-02', now() - interval '3 hours')`;
      await started.queues.maintenance.removeJobScheduler(SCHEDULERS.pendingMessageSweeper);
      const ready = await started.app.inject(ROUTES.healthReady);
      expect(ready.statusCode).toBe(200);
      expect(ready.json<{ warnings: string[] }>().warnings).toEqual([
        'daily run of 2026-01-02 is late: still not complete 180 min after it began',
        `job scheduler ${SCHEDULERS.pendingMessageSweeper} is missing`,
      ]);
    } finally {
      await Promise.all(contexts.splice(0).map((c) => c.close()));
      await prefix.clear();
    }
  });

  it('ready answers 503 naming Redis when Redis does not answer', async () => {
    const { app } = context({ REDIS_URL: `redis://127.0.0.1:${await freePort()}` });
    const ready = await app.inject(ROUTES.healthReady);
    expect(ready.statusCode).toBe(503);
    expect(ready.json()).toMatchObject({ ready: false, failing: ['redis'], checks: { postgres: { ok: true } } });
  });

  it('ready answers 503 naming Postgres when Postgres does not answer', async () => {
    const { app, redis } = context({ DATABASE_URL: `postgres://postgres@127.0.0.1:${await freePort()}/none` });
    if (redis.status !== 'ready') await once(redis, 'ready');
    const ready = await app.inject(ROUTES.healthReady);
    expect(ready.statusCode).toBe(503);
    expect(ready.json()).toMatchObject({ ready: false, failing: ['postgres'], checks: { redis: { ok: true } } });
  });
});

describe('start-up', () => {
  it('stops at once, naming the fix, when the database does not exist', async () => {
    const missing = new URL(db.url);
    missing.pathname = `/${missing.pathname.slice(1)}_missing`;
    const started = Date.now();
    await expect(context({ DATABASE_URL: missing.toString(), WORKER_ROLES: 'sms', PORT: '0' }).start()).rejects.toThrow(
      /does not exist; fix DATABASE_URL, or create the database/,
    );
    expect(Date.now() - started).toBeLessThan(10_000);
  });

  it('prints no warning when everything answers', { timeout: 20_000 }, async () => {
    const prefix = createTestQueuePrefix();
    const lines: string[] = [];
    const sink = new Writable({
      write: (chunk: Buffer, _encoding, done) => {
        lines.push(chunk.toString());
        done();
      },
    });
    try {
      await context({ QUEUE_PREFIX: prefix.prefix, PORT: '0' }, createLogger('info', sink)).start();
      expect(lines.filter((l) => (JSON.parse(l) as { level: number }).level >= 40)).toEqual([]);
    } finally {
      await Promise.all(contexts.splice(0).map((c) => c.close()));
      await prefix.clear();
    }
  });
});
