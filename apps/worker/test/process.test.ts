// The built service as operators run it: `node dist/main.js`.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROUTES } from '@auto-prospect/core';
import { createTestDatabase, testEnv, type TestDatabase } from '@auto-prospect/testkit';
import { freePort } from './support/free-port.js';
import { startWorkerProcess } from './support/worker-process.js';

let db: TestDatabase;
let redisServer: ChildProcess | undefined;

beforeAll(async () => {
  db = await createTestDatabase();
});

afterAll(async () => {
  redisServer?.kill('SIGKILL');
  await db.drop();
});

async function startPrivateRedis(): Promise<string> {
  const port = await freePort();
  redisServer = spawn(
    'redis-server',
    ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'],
    { stdio: 'ignore' },
  );
  for (let i = 0; i < 100; i++) {
    if (spawnSync('redis-cli', ['-p', String(port), 'ping'], { encoding: 'utf8' }).stdout.trim() === 'PONG') break;
    await new Promise((r) => setTimeout(r, 50));
  }
  return `redis://127.0.0.1:${port}`;
}

async function readyStatus(url: string): Promise<{ status: number; body: { failing: string[] } }> {
  const res = await fetch(url + ROUTES.healthReady);
  return { status: res.status, body: (await res.json()) as { failing: string[] } };
}

describe('the service process', () => {
  it(
    'is ready with Redis and Postgres, answers 503 naming Redis once Redis stops, ' + 'and exits 0 on SIGTERM',
    async () => {
      const redisUrl = await startPrivateRedis();
      const worker = startWorkerProcess(testEnv({ DATABASE_URL: db.url, REDIS_URL: redisUrl, LOG_LEVEL: 'info' }));
      const url = await worker.url;

      await expect.poll(async () => (await readyStatus(url)).status, { timeout: 10_000 }).toBe(200);

      redisServer!.kill('SIGKILL');
      await expect
        .poll(async () => readyStatus(url), { timeout: 10_000 })
        .toMatchObject({ status: 503, body: { failing: ['redis'] } });

      const signalledAt = Date.now();
      worker.child.kill('SIGTERM');
      const { code, afterMs } = await worker.exited(signalledAt);
      expect(code).toBe(0);
      expect(afterMs).toBeLessThan(10_000);
    },
  );

  it('refuses to start on invalid configuration, naming every problem', async () => {
    const worker = startWorkerProcess(testEnv({ DATABASE_URL: undefined, WHATSAPP_ENCRYPTION_KEY: 'xyz' }));
    const { code } = await worker.exited();
    expect(code).not.toBe(0);
    expect(worker.output()).toContain('DATABASE_URL is required');
    expect(worker.output()).toContain('WHATSAPP_ENCRYPTION_KEY must be 64 hexadecimal characters');
  });
});
