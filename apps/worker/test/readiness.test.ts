import { once } from 'node:events';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger, parseEnv, ROUTES } from '@auto-prospect/core';
import { createTestDatabase, testEnv, type TestDatabase } from '@auto-prospect/testkit';
import { createContext, type WorkerContext } from '../src/context.js';
import { freePort } from './support/free-port.js';

let db: TestDatabase;
const contexts: WorkerContext[] = [];

function context(overrides: Record<string, string>): WorkerContext {
  const env = parseEnv(testEnv({ DATABASE_URL: db.url, ...overrides }));
  const created = createContext(env, createLogger('silent'));
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
    expect(ready.json()).toEqual({ ready: true, failing: [], checks: { redis: { ok: true }, postgres: { ok: true } } });
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
