// Runs once per vitest process: makes sure a migrated template database exists for the current
// migrations, so each test file can clone its own database from it in milliseconds.
import { createHash } from 'node:crypto';
import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import postgres from 'postgres';
import type { TestProject } from 'vitest/node';
import './provided-context.js';
import { adminDatabaseUrl, checkoutNamespace, databaseUrl, repoRoot } from './environment.js';

function migrationsHash(): string {
  const dir = resolve(repoRoot, 'supabase', 'migrations');
  const hash = createHash('sha256');
  for (const file of readdirSync(dir).sort()) hash.update(file).update(readFileSync(resolve(dir, file)));
  return hash.digest('hex').slice(0, 16);
}

export default async function setup(project: TestProject): Promise<void> {
  const ours = `ap_tpl_${checkoutNamespace}_`;
  const template = `${ours}${migrationsHash()}`;
  const sql = postgres(adminDatabaseUrl(), { max: 1, onnotice: () => {} });
  try {
    // Several vitest processes (one per package) may start together: build the template once.
    await sql`select pg_advisory_lock(hashtext(${ours}))`;
    const [exists] = await sql`select 1 from pg_database where datname = ${template}`;
    if (!exists) {
      const building = `${template}_wip`;
      await sql.unsafe(`drop database if exists ${building} with (force)`);
      await sql.unsafe(`create database ${building}`);
      const migrated = spawnSync(process.execPath, [resolve(repoRoot, 'scripts', 'db-migrate.mjs')], {
        env: { ...process.env, DATABASE_URL: databaseUrl(building) },
        encoding: 'utf8',
      });
      if (migrated.status !== 0) throw new Error(`migrations failed:\n${migrated.stdout}${migrated.stderr}`);
      await sql.unsafe(`alter database ${building} rename to ${template}`);
      // This checkout's older templates (other checkouts' are theirs to drop).
      const stale = await sql`
        select datname from pg_database where starts_with(datname, ${ours}) and datname <> ${template}`;
      for (const { datname } of stale) await sql.unsafe(`drop database if exists "${datname}"`);
    }
  } finally {
    await sql`select pg_advisory_unlock(hashtext(${ours}))`;
    await sql.end();
  }
  project.provide('templateDatabase', template);
}
