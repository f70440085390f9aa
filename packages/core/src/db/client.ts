import postgres from 'postgres';
import { TIMEOUTS_MS } from '../config/worker.config.js';

export type Sql = postgres.Sql;
/** The pool or a transaction: what repository functions take, so they compose inside `sql.begin`. */
export type Queryable = postgres.Sql | postgres.TransactionSql;
/** Inside `sql.begin`: what needs several statements to commit together (and savepoints). */
export type Transaction = postgres.TransactionSql;

export interface DatabaseOptions {
  /** Connections in the pool. */
  max?: number;
}

/** Supabase's transaction pooler listens on this port; its direct and session ports are 5432. */
const TRANSACTION_POOLER_PORT = '6543';

/** The worker's Postgres pool. Connects lazily: nothing is opened until the first query. */
export function createDatabase(url: string, options: DatabaseOptions = {}): Sql {
  return postgres(url, {
    max: options.max ?? 10,
    // Behind a transaction pooler, each transaction may run on another server connection, where a
    // statement prepared on the previous one does not exist.
    prepare: new URL(url).port !== TRANSACTION_POOLER_PORT,
    connect_timeout: TIMEOUTS_MS.databaseConnect / 1000,
    idle_timeout: 60,
    onnotice: () => {},
    // Dates are kept as YYYY-MM-DD strings: a local calendar day has no time zone.
    types: { date: { to: 1082, from: [1082], serialize: (v: string) => v, parse: (v: string) => v } },
  });
}

/** A refusal by a unique index (or a trigger that refuses the same way): "already taken". */
export function isUniqueViolation(err: unknown): boolean {
  return err instanceof postgres.PostgresError && err.code === '23505';
}
