// One live Baileys socket per WhatsApp account, reused across jobs. Across worker processes a
// Redis lease makes sure only one process holds an account's socket (a second connection would
// be answered by WhatsApp with 440 "replaced"); a job for that account elsewhere is postponed
// until the holder lets go, which it does after a quiet period.
import { randomUUID } from 'node:crypto';
import type { RedisClient } from '../redis/connections.js';
import type { Sql } from '../db/client.js';
import { NotNowError, TransientError } from '../errors.js';
import { within } from '../async/within.js';
import type { Logger } from '../logging/logger.js';
import { e164Digits } from '../phone/phone-number.js';
import { acquireLease } from '../redis/lease.js';
import { AccountConnection, type AccountConnectionDeps } from './account-connection.js';
import { loadDatabaseAuthState } from './auth-state.js';
import { createRecentSends } from './whatsapp-feedback.js';
import { sendText } from './whatsapp-send-text.js';
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
}

export type LinkResult = { qr: string } | { pairingCode: string } | { alreadyLinked: true };

export interface WhatsAppConnections {
  /** Sends a text; throws classified errors (see channel-sender.ts). */
  send(accountId: string, recipientE164: string, text: string): Promise<{ externalId: string | null }>;
  /**
   * Opens the account's socket for a while so that what WhatsApp held for it (receipts, replies)
   * comes in. False when another process holds the socket (and so hears it).
   */
  listen(accountId: string): Promise<boolean>;
  /** Starts linking an account: a QR code to scan, or a pairing code for `phoneNumber`. */
  link(accountId: string, phoneNumber?: string): Promise<LinkResult>;
  /** Logs the linked device out (WhatsApp forgets it); the session is then cleared and paused. */
  logout(accountId: string): Promise<void>;
  /** Ends every socket cleanly and frees the leases. */
  closeAll(): Promise<void>;
}

export function createWhatsAppConnections(options: WhatsAppConnectionsOptions): WhatsAppConnections {
  const { sql, redis, logger } = options;
  const leaseMs = options.leaseMs ?? 30_000;
  const connectTimeoutMs = options.connectTimeoutMs ?? 20_000;
  const owner = randomUUID();
  const connections = new Map<string, Promise<AccountConnection>>();
  const recentSends = createRecentSends();
  const leaseKey = (accountId: string) => `${options.prefix}:whatsapp-lease:${accountId}`;
  const connectionDeps: AccountConnectionDeps = {
    sql, logger, socketFactory: options.socketFactory, idleMs: options.idleMs ?? 60_000,
    sentRecently: recentSends.has,
    async onGone(conn) {
      if ((await connections.get(conn.accountId)) === conn) connections.delete(conn.accountId);
      await conn.lease.release();
    },
  };

  async function connect(accountId: string): Promise<AccountConnection> {
    const lease = await acquireLease(redis, leaseKey(accountId), owner, leaseMs, () => {
      logger.warn({ accountId }, 'lost the WhatsApp lease; closing the socket');
      void connections.get(accountId)?.then((conn) => conn.close());
    });
    if (!lease) {
      throw new NotNowError('WHATSAPP_SOCKET_ELSEWHERE', 'another worker process holds this account\'s WhatsApp socket', new Date(Date.now() + 2_000 + Math.random() * 3_000));
    }
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

  async function openConnection(accountId: string): Promise<AccountConnection> {
    const conn = await connection(accountId);
    try {
      await within(connectTimeoutMs, conn.opened, () => new TransientError('WHATSAPP_CONNECT_TIMEOUT', 'WhatsApp did not connect in time'));
    } catch (err) {
      if (err instanceof TransientError && err.code === 'WHATSAPP_CONNECT_TIMEOUT') await conn.close();
      throw err;
    }
    conn.touch();
    return conn;
  }

  return {
    async send(accountId, recipientE164, text) {
      const conn = await openConnection(accountId);
      const sent = await sendText(conn, recipientE164, text);
      if (sent.externalId) recentSends.remember(sent.externalId);
      conn.touch();
      return sent;
    },

    async listen(accountId) {
      try {
        await openConnection(accountId);
        return true;
      } catch (err) {
        if (err instanceof NotNowError) return false;
        throw err;
      }
    },

    async link(accountId, phoneNumber) {
      const conn = await connection(accountId);
      if (conn.isOpen) return { alreadyLinked: true };
      const firstQr = conn.nextQr();
      const result = await Promise.race([
        conn.opened.then(() => ({ alreadyLinked: true }) as const),
        firstQr.then(async (qr) => (phoneNumber ? { pairingCode: await conn.socket.requestPairingCode(e164Digits(phoneNumber)) } : { qr })),
      ]);
      return result;
    },

    async logout(accountId) {
      const conn = await openConnection(accountId);
      // WhatsApp answers with a 401 close, which clears the creds and marks the session.
      await conn.socket.logout();
    },

    async closeAll() {
      const all = await Promise.allSettled([...connections.values()]);
      await Promise.all(all.flatMap((r) => (r.status === 'fulfilled' ? [r.value.close()] : [])));
    },
  };
}
