// What every part of the fault suite shares: the private servers the global setup started, the
// suite's temp dir (rows, logs, secrets, the baseline), and a few helpers.
import { appendFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, inject } from 'vitest';
import { testEnv } from '@auto-prospect/testkit';
import { writeRow, type FaultRow } from './table.js';

export const servers = inject('faults');
if (servers) {
  // The testkit's helpers (test databases, queue prefixes, testEnv) read these.
  process.env.DATABASE_URL = servers.databaseUrl;
  process.env.REDIS_URL = servers.redisUrl;
}
/** Scenario groups run only when the private servers could be started (see servers.global.ts). */
export const describeFaults = servers ? describe : describe.skip;
export const suiteDir = () => servers!.dir;

export const auth = { authorization: `Bearer ${testEnv().API_SECRET!}` };
export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Secrets the scan (7-…) must never find in Redis or the logs, gathered from every scenario. */
export function recordSecrets(values: string[]): void {
  appendFileSync(join(suiteDir(), 'secrets.jsonl'), `${JSON.stringify(values)}\n`);
}

/** Prints and records the row (the global teardown prints every row again, together). */
export function report(row: FaultRow): FaultRow {
  writeRow(suiteDir(), row);
  return row;
}
