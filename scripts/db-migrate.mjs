#!/usr/bin/env node
// Applies supabase/migrations to DATABASE_URL with the Supabase CLI, the same tool that pushes
// them to the production project. Already-applied migrations are skipped, so it is idempotent.
import { spawnSync } from 'node:child_process';
import { resolve } from 'node:path';

const root = resolve(import.meta.dirname, '..');
if (!process.env.DATABASE_URL) {
  process.stderr.write('db:migrate: DATABASE_URL is not set\n');
  process.exit(1);
}
const url = new URL(process.env.DATABASE_URL);
// A local server has no TLS; the CLI would otherwise insist on it.
if (['127.0.0.1', 'localhost', '::1', '[::1]'].includes(url.hostname) && !url.searchParams.has('sslmode')) {
  url.searchParams.set('sslmode', 'disable');
}
const cli = resolve(root, 'node_modules', '.bin', 'supabase');
const result = spawnSync(cli, ['migration', 'up', '--db-url', url.toString()], {
  cwd: root,
  stdio: ['ignore', 'inherit', 'inherit'],
});
process.exit(result.status ?? 1);
