// A fresh, migrated database for one benchmark run, dropped afterwards.
import { randomBytes } from 'node:crypto';
import { spawnSync } from 'node:child_process';
import { resolve } from 'node:path';
import postgres from 'postgres';
import { checkoutNamespace, databaseUrl, repoRoot } from '@auto-prospect/testkit';

export async function withBenchDatabase<T>(use: (url: string) => Promise<T>): Promise<T> {
  const name = `ap_bench_${checkoutNamespace}_${randomBytes(5).toString('hex')}`;
  const admin = postgres(databaseUrl('postgres'), { max: 1, onnotice: () => {} });
  await admin.unsafe(`create database ${name}`);
  try {
    const migrated = spawnSync(process.execPath, [resolve(repoRoot, 'scripts', 'db-migrate.mjs')], {
      env: { ...process.env, DATABASE_URL: databaseUrl(name) },
      encoding: 'utf8',
    });
    if (migrated.status !== 0) throw new Error(`migration failed: ${migrated.stderr}`);
    return await use(databaseUrl(name));
  } finally {
    await admin.unsafe(`drop database if exists ${name} with (force)`);
    await admin.end();
  }
}
