import { createHash } from 'node:crypto';
import { resolve } from 'node:path';

export const repoRoot = resolve(import.meta.dirname, '..', '..', '..');

/**
 * This checkout's mark on the shared servers: every database and key prefix a test or benchmark
 * creates starts with it, so cleaning up never touches another checkout's.
 */
export const checkoutNamespace = createHash('sha256').update(repoRoot).digest('hex').slice(0, 6);

function required(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set: run the tests with \`pnpm test\` from the repository root`);
  return value;
}

/** The server given by DATABASE_URL, with another database name. */
export function databaseUrl(database: string): string {
  const url = new URL(required('DATABASE_URL'));
  url.pathname = `/${database}`;
  return url.toString();
}

export const adminDatabaseUrl = () => databaseUrl('postgres');
export const redisUrl = () => required('REDIS_URL');
