// Global setup of the fault suite: starts the private servers, points DATABASE_URL and REDIS_URL
// at them and runs the testkit's setup (it builds the migrated template database there), and
// at the end prints every scenario's row, stops the servers and removes the temp dir (unless FAULTS_KEEP).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestProject } from 'vitest/node';
import { missingBinaries, openToPostgres, postgresServer, startRedisServer } from './servers.js';
import { printTable, readRows } from './table.js';
import { freePort } from '../test/support/free-port.js';
import buildTemplateDatabase from '../../../packages/testkit/src/global-setup.js';

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const missing = missingBinaries();
  if (missing.length > 0) {
    console.warn(`fault suite skipped: ${missing.join(', ')} not on PATH (install redis-server and PostgreSQL)`);
    project.provide('faults', null);
    return async () => {};
  }
  const dir = mkdtempSync(join(tmpdir(), 'ap-faults-'));
  openToPostgres(dir);
  const redis = await startRedisServer(dir);
  const postgres = postgresServer(dir, await freePort());
  try {
    postgres.initialise();
    postgres.start();
    process.env.DATABASE_URL = postgres.url;
    process.env.REDIS_URL = redis.url;
    await buildTemplateDatabase(project);
  } catch (err) {
    await redis.stop();
    rmSync(dir, { recursive: true, force: true });
    throw err;
  }
  project.provide('faults', { dir, redisUrl: redis.url, databaseUrl: postgres.url, postgresPort: postgres.port });

  return async () => {
    printTable(readRows(dir));
    await redis.stop();
    try {
      // Servers stay up if a scenario failed mid-way; -m fast cuts whatever is still connected.
      postgres.stop();
    } finally {
      // FAULTS_KEEP=1 keeps it: the workers' logs (logs/) and the servers' to look into.
      if (process.env.FAULTS_KEEP) console.log(`fault suite: kept ${dir}`);
      else rmSync(dir, { recursive: true, force: true });
    }
  };
}

declare module 'vitest' {
  export interface ProvidedContext {
    /** The private servers, or null when the suite is skipped. */
    faults: { dir: string; redisUrl: string; databaseUrl: string; postgresPort: number } | null;
  }
}
