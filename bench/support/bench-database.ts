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

/**
 * Samples RSS and heap while `work` runs; returns the peaks. With --expose-gc each heap sample
 * follows a full collection, so it measures what is retained, not garbage awaiting collection.
 */
export async function measurePeaks<T>(work: () => Promise<T>): Promise<{ result: T; peakRssMb: number; peakHeapMb: number }> {
  let peakRss = 0;
  let peakHeap = 0;
  const sample = () => {
    global.gc?.();
    const usage = process.memoryUsage();
    peakRss = Math.max(peakRss, usage.rss);
    peakHeap = Math.max(peakHeap, usage.heapUsed);
  };
  const timer = setInterval(sample, 100);
  try {
    const result = await work();
    sample();
    return { result, peakRssMb: peakRss / 2 ** 20, peakHeapMb: peakHeap / 2 ** 20 };
  } finally {
    clearInterval(timer);
  }
}
