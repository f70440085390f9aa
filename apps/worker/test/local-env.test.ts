// The local commands' one precedence rule for the connection URLs: the explicit environment,
// then the .env file the service reads, then the defaults; the services are brought up at the
// URLs the command then receives.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '@auto-prospect/testkit';

const wrapper = resolve(import.meta.dirname, '..', '..', '..', 'scripts', 'with-local-services.mjs');
let db: TestDatabase;
let dir: string;
let envFile: string;

beforeAll(async () => {
  db = await createTestDatabase();
  dir = mkdtempSync(join(tmpdir(), 'ap-env-'));
  envFile = join(dir, '.env');
  writeFileSync(envFile, `REDIS_URL=redis://127.0.0.1:6379/7\nDATABASE_URL=${db.url}\n`);
});

afterAll(async () => {
  rmSync(dir, { recursive: true, force: true });
  await db.drop();
});

/** What the wrapped command receives, run with `explicit` as its only connection variables. */
function received(explicit: Record<string, string>, file?: string): { redis: string; database: string } {
  const rest = Object.fromEntries(
    Object.entries(process.env).filter(([name]) => name !== 'REDIS_URL' && name !== 'DATABASE_URL'),
  );
  const print =
    'process.stdout.write(JSON.stringify({ redis: process.env.REDIS_URL, database: process.env.DATABASE_URL }))';
  const result = spawnSync(
    process.execPath,
    [wrapper, ...(file ? ['--env-file', file] : []), process.execPath, '-e', print],
    {
      env: { ...rest, ...explicit },
      encoding: 'utf8',
    },
  );
  expect(result.status, result.stderr).toBe(0);
  return JSON.parse(result.stdout) as { redis: string; database: string };
}

describe('local connection URLs', () => {
  it('come from the .env file over the defaults', () => {
    expect(received({}, envFile)).toEqual({ redis: 'redis://127.0.0.1:6379/7', database: db.url });
  });

  it('come from the explicit environment over the file', () => {
    expect(received({ REDIS_URL: 'redis://127.0.0.1:6379/8' }, envFile)).toEqual({
      redis: 'redis://127.0.0.1:6379/8',
      database: db.url,
    });
  });

  it('fall back to the local defaults', () => {
    expect(received({ DATABASE_URL: db.url }).redis).toBe('redis://127.0.0.1:6379');
  });
});
