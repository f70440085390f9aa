// One live Baileys socket per WhatsApp account, reused across jobs. Across worker processes a
// Redis lease makes sure only one process holds an account's socket (a second connection would
// be answered by WhatsApp with 440 "replaced"); a job for that account elsewhere is postponed
// until the holder lets go, which it does after a quiet period.
import { randomUUID } from 'node:crypto';
import type { ConnectionState } from '@whiskeysockets/baileys';
import type { RedisClient } from '../redis/connections.js';
import { PACING } from '../config/worker.config.js';
import type { Sql } from '../db/client.js';
import { DeliveryRefusedError, NotNowError, TransientError, UnknownOutcomeError } from '../errors.js';
import { within } from '../async/within.js';
import type { Logger } from '../logging/logger.js';
import { e164Digits } from '../phone/phone-number.js';
import { acquireLease, type Lease } from '../redis/lease.js';
import { loadDatabaseAuthState, type DatabaseAuthState } from './auth-state.js';
import { onMessagesUpdate, onMessagesUpsert } from './whatsapp-feedback.js';
import { markSessionConnected, markSessionDisconnected, pauseWhatsApp } from './whatsapp-sessions.js';
import type { WhatsAppSocket, WhatsAppSocketFactory } from './whatsapp-socket.js';

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

interface Connection {
  accountId: string;
  socket: WhatsAppSocket;
  auth: DatabaseAuthState;
  lease: Lease;
  isOpen: boolean;
  /** Set when we end the socket ourselves: its close event is not a disconnect. */
  ending: boolean;
  opened: Promise<void>;
  settleOpen: { resolve: () => void; reject: (err: Error) => void };
  qrWaiters: ((qr: string) => void)[];
  idleTimer?: NodeJS.Timeout;
}

/** Disconnect codes after which the session is unusable until the account is linked again. */
const TERMINAL_CLOSES: Record<number, string> = {
  401: 'WHATSAPP_LOGGED_OUT',
  402: 'WHATSAPP_BANNED',
  403: 'WHATSAPP_BANNED',
  406: 'WHATSAPP_BANNED',
  411: 'WHATSAPP_RELINK_REQUIRED',
  440: 'WHATSAPP_SESSION_REPLACED',
};
const RESTART_REQUIRED = 515;

const statusCodeOf = (err: unknown): number | undefined => (err as { output?: { statusCode?: number } } | undefined)?.output?.statusCode;

export function createWhatsAppConnections(options: WhatsAppConnectionsOptions): WhatsAppConnections {
  const { sql, redis, logger } = options;
  const idleMs = options.idleMs ?? 60_000;
  const leaseMs = options.leaseMs ?? 30_000;
  const connectTimeoutMs = options.connectTimeoutMs ?? 20_000;
  const owner = randomUUID();
  const connections = new Map<string, Promise<Connection>>();
  /** Key ids of the messages sent in the last minute, by send time: their receipts may come first. */
  const recentlySent = new Map<string, number>();
  function rememberSent(keyId: string): void {
    const now = Date.now();
    for (const [id, at] of recentlySent) {
      if (now - at < 60_000) break;
      recentlySent.delete(id);
    }
    recentlySent.set(keyId, now);
  }
  const leaseKey = (accountId: string) => `${options.prefix}:whatsapp-lease:${accountId}`;

  function attachSocket(conn: Connection): void {
    const socket = options.socketFactory({ auth: conn.auth.state, logger: logger.child({ accountId: conn.accountId }) });
    conn.socket = socket;
    socket.ev.on('creds.update', () => {
      conn.auth.saveCreds().catch((err: unknown) => logger.error({ err, accountId: conn.accountId }, 'could not save WhatsApp creds'));
    });
    socket.ev.on('connection.update', (update) => {
      onConnectionUpdate(conn, socket, update).catch((err: unknown) => logger.error({ err, accountId: conn.accountId }, 'WhatsApp connection update failed'));
    });
    const feedback = {
      sql, accountId: conn.accountId, logger,
      onTimeLock: () => pauseForTimeLock(conn.accountId),
      sentRecently: (keyId: string) => recentlySent.has(keyId),
    };
    const failed = (err: unknown) => logger.error({ err, accountId: conn.accountId }, 'could not record WhatsApp feedback');
    socket.ev.on('messages.update', (updates) => void onMessagesUpdate(feedback, updates).catch(failed));
    socket.ev.on('messages.upsert', (upsert) => void onMessagesUpsert(feedback, upsert).catch(failed));
  }

  async function pauseForTimeLock(accountId: string): Promise<void> {
    const until = new Date(Date.now() + PACING.whatsappTimeLockPauseHours * 3600_000);
    await pauseWhatsApp(sql, accountId, 'WHATSAPP_REACHOUT_TIME_LOCK', 'WhatsApp restricted new chats (reach-out time lock)', until)
      .catch((err: unknown) => logger.error({ err, accountId }, 'could not pause WhatsApp'));
  }

  async function onConnectionUpdate(conn: Connection, socket: WhatsAppSocket, update: Partial<ConnectionState>): Promise<void> {
    if (socket !== conn.socket) return;
    if (update.qr) for (const waiter of conn.qrWaiters.splice(0)) waiter(update.qr);
    if (update.reachoutTimeLock?.isActive) await pauseForTimeLock(conn.accountId);
    if (update.connection === 'open') {
      conn.isOpen = true;
      conn.settleOpen.resolve();
      await markSessionConnected(sql, conn.accountId);
    }
    if (update.connection !== 'close') return;
    conn.isOpen = false;
    if (conn.ending) return;
    const code = statusCodeOf(update.lastDisconnect?.error);
    if (code === RESTART_REQUIRED) {
      // Expected right after linking: a new socket with the same auth, at once.
      logger.info({ accountId: conn.accountId }, 'WhatsApp asked for a restart; reconnecting');
      attachSocket(conn);
      return;
    }
    const terminal = code === undefined ? undefined : TERMINAL_CLOSES[code];
    logger.warn({ accountId: conn.accountId, statusCode: code, errorCode: terminal }, 'WhatsApp connection closed');
    if (terminal) {
      if (code === 401) await conn.auth.clear();
      await markSessionDisconnected(sql, conn.accountId, terminal, `WhatsApp closed the session (${code})`);
      conn.settleOpen.reject(new DeliveryRefusedError(terminal, `WhatsApp closed the session (${code}); link the account again`, 'sender'));
    } else {
      // 408/428/500/503: the next send reconnects; its job's backoff paces the attempts.
      conn.settleOpen.reject(new TransientError('WHATSAPP_CONNECTION_CLOSED', `WhatsApp connection closed (${code ?? 'no code'})`));
    }
    await forget(conn);
  }

  async function connect(accountId: string): Promise<Connection> {
    const lease = await acquireLease(redis, leaseKey(accountId), owner, leaseMs, () => {
      logger.warn({ accountId }, 'lost the WhatsApp lease; closing the socket');
      void connections.get(accountId)?.then(close);
    });
    if (!lease) {
      throw new NotNowError('WHATSAPP_SOCKET_ELSEWHERE', 'another worker process holds this account\'s WhatsApp socket', new Date(Date.now() + 2_000 + Math.random() * 3_000));
    }
    try {
      const auth = await loadDatabaseAuthState(sql, accountId, options.encryptionKey);
      let settleOpen!: Connection['settleOpen'];
      const opened = new Promise<void>((resolve, reject) => (settleOpen = { resolve, reject }));
      opened.catch(() => undefined);
      const conn = { accountId, auth, lease, isOpen: false, ending: false, opened, settleOpen, qrWaiters: [] } as unknown as Connection;
      attachSocket(conn);
      return conn;
    } catch (err) {
      await lease.release();
      throw err;
    }
  }

  function connection(accountId: string): Promise<Connection> {
    let pending = connections.get(accountId);
    if (!pending) {
      pending = connect(accountId);
      connections.set(accountId, pending);
      pending.catch(() => connections.delete(accountId));
    }
    return pending;
  }

  async function forget(conn: Connection): Promise<void> {
    clearTimeout(conn.idleTimer);
    if ((await connections.get(conn.accountId)) === conn) connections.delete(conn.accountId);
    await conn.lease.release();
  }

  async function close(conn: Connection): Promise<void> {
    conn.ending = true;
    await conn.socket.end(undefined).catch((err: unknown) => logger.warn({ err, accountId: conn.accountId }, 'WhatsApp socket did not end cleanly'));
    conn.settleOpen.reject(new TransientError('WHATSAPP_CONNECTION_CLOSED', 'socket closed by the worker'));
    await forget(conn);
  }

  function touch(conn: Connection): void {
    clearTimeout(conn.idleTimer);
    conn.idleTimer = setTimeout(() => {
      close(conn).catch((err: unknown) => logger.warn({ err, accountId: conn.accountId }, 'could not close an idle WhatsApp socket'));
    }, idleMs);
    conn.idleTimer.unref();
  }

  async function openConnection(accountId: string): Promise<Connection> {
    const conn = await connection(accountId);
    try {
      await within(connectTimeoutMs, conn.opened, () => new TransientError('WHATSAPP_CONNECT_TIMEOUT', 'WhatsApp did not connect in time'));
    } catch (err) {
      if (err instanceof TransientError && err.code === 'WHATSAPP_CONNECT_TIMEOUT') await close(conn);
      throw err;
    }
    touch(conn);
    return conn;
  }

  return {
    async send(accountId, recipientE164, text) {
      const conn = await openConnection(accountId);
      let found: { jid: string; exists: boolean }[] | undefined;
      try {
        found = await conn.socket.onWhatsApp(e164Digits(recipientE164));
      } catch (err) {
        throw new TransientError('WHATSAPP_LOOKUP_FAILED', 'could not check the number on WhatsApp', { cause: err });
      }
      if (found === undefined) throw new TransientError('WHATSAPP_LOOKUP_FAILED', 'WhatsApp returned nothing for the number check');
      const match = found.find((r) => r.exists);
      if (!match) throw new DeliveryRefusedError('WHATSAPP_NOT_ON_WHATSAPP', 'the recipient has no WhatsApp account', 'recipient');
      if (!conn.isOpen) throw new TransientError('WHATSAPP_CONNECTION_CLOSED', 'the connection closed before sending');
      try {
        const sent = await conn.socket.sendMessage(match.jid, { text });
        if (sent?.key.id) rememberSent(sent.key.id);
        touch(conn);
        return { externalId: sent?.key.id ?? null };
      } catch (err) {
        // 428 "Connection Closed" is thrown before anything is written to the socket.
        if (statusCodeOf(err) === 428) throw new TransientError('WHATSAPP_CONNECTION_CLOSED', 'the connection closed before sending', { cause: err });
        throw new UnknownOutcomeError('WHATSAPP_SEND_UNCONFIRMED', 'WhatsApp did not confirm the message; it may have been sent', { cause: err });
      }
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
      const firstQr = new Promise<string>((resolve) => conn.qrWaiters.push(resolve));
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
      await Promise.all(all.flatMap((r) => (r.status === 'fulfilled' ? [close(r.value)] : [])));
    },
  };
}
