import { randomBytes } from 'node:crypto';
import postgres from 'postgres';
import { inject } from 'vitest';
import './provided-context.js';
import { adminDatabaseUrl, checkoutNamespace, databaseUrl } from './environment.js';

export interface TestDatabase {
  /** Connection string of this test file's own database. */
  url: string;
  name: string;
  /** Drops the database (pools connected to it are terminated). */
  drop(): Promise<void>;
}

/** A fresh, fully migrated database of its own, cloned from the template built at setup. */
export async function createTestDatabase(): Promise<TestDatabase> {
  const name = `ap_t_${checkoutNamespace}_${randomBytes(6).toString('hex')}`;
  const admin = postgres(adminDatabaseUrl(), { max: 1, onnotice: () => {} });
  try {
    await admin.unsafe(`create database ${name} template ${inject('templateDatabase')}`);
  } finally {
    await admin.end();
  }
  return {
    name,
    url: databaseUrl(name),
    async drop() {
      const sql = postgres(adminDatabaseUrl(), { max: 1, onnotice: () => {} });
      try {
        await sql.unsafe(`drop database if exists ${name} with (force)`);
      } finally {
        await sql.end();
      }
    },
  };
}
