// One live Baileys socket per WhatsApp account, reused across jobs. Across worker processes a
// Redis lease makes sure only one process holds an account's socket (a second connection would
// be answered by WhatsApp with 440 "replaced"); a job for that account elsewhere is postponed
// until the holder lets go, which it does after a quiet period.
import { randomUUID } from 'node:crypto';
import { NotNowError, TransientError } from '../errors.js';
import { within } from '../async/within.js';
import { acquireLease, type Lease } from '../redis/lease.js';
import { AccountConnection, type AccountConnectionDeps } from './account-connection.js';
import { loadDatabaseAuthState } from './auth-state.js';
import type { Sql } from '../db/client.js';
import type { Logger } from '../logging/logger.js';
import type { RedisClient } from '../redis/connections.js';
import type { WhatsAppSocketFactory } from './whatsapp-socket.js';

export interface WhatsAppConnectionsOptions {
  sql: Sql;
  redis: RedisClient;
  /** Key prefix of the leases (the queue prefix). */
  prefix: string;
  encryptionKey: string;
  logger: Logger;
  socketFactory: WhatsAppSocketFactory;
  /** A socket unused this long is closed and its lease freed. */
  idleMs?: number;
  leaseMs?: number;
  connectTimeoutMs?: number;
  /** Each call to WhatsApp on an open socket (PROVIDER_TIMEOUT_MS). */
  requestTimeoutMs?: number;
}

export interface ConnectionPool {
  /** The account's connection, opening (under the lease) if there is none; it may not be open yet. */
  connection(accountId: string): Promise<AccountConnection>;
  /** The account's connection once open (bounded wait), marked as just used. */
  openConnection(accountId: string): Promise<AccountConnection>;
  closeAll(): Promise<void>;
}

export function createConnectionPool(
  options: WhatsAppConnectionsOptions,
  sentRecently: (externalId: string) => boolean,
): ConnectionPool {
  const { sql, redis, logger } = options;
  const leaseMs = options.leaseMs ?? 30_000;
  const connectTimeoutMs = options.connectTimeoutMs ?? 20_000;
  const owner = randomUUID();
  const connections = new Map<string, Promise<AccountConnection>>();
  const connectionDeps = accountConnectionDeps(options, connections, sentRecently);

  async function connect(accountId: string): Promise<AccountConnection> {
    const lease = await acquireAccountLease(
      redis,
      `${options.prefix}:whatsapp-lease:${accountId}`,
      owner,
      leaseMs,
      () => {
        logger.warn({ accountId }, 'lost the WhatsApp lease; closing the socket');
        void connections.get(accountId)?.then((conn) => conn.close());
      },
    );
    try {
      const auth = await loadDatabaseAuthState(sql, accountId, options.encryptionKey);
      return new AccountConnection(connectionDeps, accountId, auth, lease);
    } catch (err) {
      await lease.release();
      throw err;
    }
  }

  function connection(accountId: string): Promise<AccountConnection> {
    let pending = connections.get(accountId);
    if (!pending) {
      pending = connect(accountId);
      connections.set(accountId, pending);
      pending.catch(() => connections.delete(accountId));
    }
    return pending;
  }

  return {
    connection,
    async openConnection(accountId) {
      const conn = await connection(accountId);
      await openedWithin(conn, connectTimeoutMs);
      conn.touch();
      return conn;
    },
    async closeAll() {
      const all = await Promise.allSettled([...connections.values()]);
      await Promise.all(all.flatMap((r) => (r.status === 'fulfilled' ? [r.value.close()] : [])));
    },
  };
}

/** What each connection needs; one that goes away leaves the pool (unless replaced) and frees its lease. */
function accountConnectionDeps(
  options: WhatsAppConnectionsOptions,
  connections: Map<string, Promise<AccountConnection>>,
  sentRecently: (externalId: string) => boolean,
): AccountConnectionDeps {
  return {
    sql: options.sql,
    logger: options.logger,
    socketFactory: options.socketFactory,
    idleMs: options.idleMs ?? 60_000,
    sentRecently,
    async onGone(conn) {
      if ((await connections.get(conn.accountId)) === conn) connections.delete(conn.accountId);
      await conn.lease.release();
    },
  };
}

/** The account's lease, or a postponement while another worker process holds it. */
async function acquireAccountLease(
  redis: RedisClient,
  key: string,
  owner: string,
  leaseMs: number,
  onLost: () => void,
): Promise<Lease> {
  const lease = await acquireLease(redis, key, owner, leaseMs, onLost);
  if (!lease) {
    throw new NotNowError(
      'WHATSAPP_SOCKET_ELSEWHERE',
      "another worker process holds this account's WhatsApp socket",
      new Date(Date.now() + 2_000 + Math.random() * 3_000),
    );
  }
  return lease;
}

/** Waits for the socket to open; one that does not open in time is closed (its lease freed). */
async function openedWithin(conn: AccountConnection, ms: number): Promise<void> {
  try {
    await within(
      ms,
      conn.opened,
      () => new TransientError('WHATSAPP_CONNECT_TIMEOUT', 'WhatsApp did not connect in time'),
    );
  } catch (err) {
    if (err instanceof TransientError && err.code === 'WHATSAPP_CONNECT_TIMEOUT') await conn.close();
    throw err;
  }
}
