import { resolve } from 'node:path';

export const repoRoot = resolve(import.meta.dirname, '..', '..', '..');

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
