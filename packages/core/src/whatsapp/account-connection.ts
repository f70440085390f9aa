// One account's live socket: it opens, reconnects when WhatsApp asks for a restart, records
// what a disconnect means for the session, routes receipts and replies, and closes itself after
// a quiet period. Holding the account's lease is the caller's job (whatsapp-connections.ts).
import { NewChatMessageCappingStatusType, type ConnectionState } from '@whiskeysockets/baileys';
import type { Sql } from '../db/client.js';
import { TransientError } from '../errors.js';
import type { Logger } from '../logging/logger.js';
import type { Lease } from '../redis/lease.js';
import type { DatabaseAuthState } from './auth-state.js';
import { classifyDisconnect, statusCodeOf } from './whatsapp-disconnects.js';
import { onMessagesUpdate, onMessagesUpsert } from './whatsapp-feedback.js';
import { markSessionConnected, markSessionDisconnected, pauseWhatsApp } from './whatsapp-sessions.js';
import type { WhatsAppSocket, WhatsAppSocketFactory } from './whatsapp-socket.js';

const TIME_LOCKED = {
  code: 'WHATSAPP_REACHOUT_TIME_LOCK',
  message: 'WhatsApp restricted new chats (reach-out time lock)',
};
const CAPPED = {
  code: 'WHATSAPP_NEW_CHATS_CAPPED',
  message: 'WhatsApp capped new chats (new-chat message quota used up)',
};

export interface AccountConnectionDeps {
  sql: Sql;
  logger: Logger;
  socketFactory: WhatsAppSocketFactory;
  idleMs: number;
  /** Whether this process sent the message with this key id moments ago. */
  sentRecently: (keyId: string) => boolean;
  /** The connection is gone (closed by either side): forget it and free its lease. */
  onGone: (conn: AccountConnection) => Promise<void>;
}

export class AccountConnection {
  socket!: WhatsAppSocket;
  isOpen = false;
  /** Resolves once open; rejects with what closed it first. */
  readonly opened: Promise<void>;
  private settleOpen!: { resolve: () => void; reject: (err: Error) => void };
  /** Set when we end the socket ourselves: its close event is not a disconnect. */
  private ending = false;
  private readonly qrWaiters: ((qr: string) => void)[] = [];
  private idleTimer?: NodeJS.Timeout;

  constructor(
    private readonly deps: AccountConnectionDeps,
    readonly accountId: string,
    private readonly auth: DatabaseAuthState,
    readonly lease: Lease,
  ) {
    this.opened = new Promise<void>((resolve, reject) => (this.settleOpen = { resolve, reject }));
    this.opened.catch(() => undefined);
    this.attachSocket();
  }

  /** The next QR code WhatsApp shows for linking. */
  nextQr(): Promise<string> {
    return new Promise((resolve) => this.qrWaiters.push(resolve));
  }

  /** Used now: the idle countdown starts again. */
  touch(): void {
    clearTimeout(this.idleTimer);
    this.idleTimer = setTimeout(() => {
      this.close().catch((err: unknown) =>
        this.deps.logger.warn({ err, accountId: this.accountId }, 'could not close an idle WhatsApp socket'),
      );
    }, this.deps.idleMs);
    this.idleTimer.unref();
  }

  async close(): Promise<void> {
    this.ending = true;
    await this.socket
      .end(undefined)
      .catch((err: unknown) =>
        this.deps.logger.warn({ err, accountId: this.accountId }, 'WhatsApp socket did not end cleanly'),
      );
    this.settleOpen.reject(new TransientError('WHATSAPP_CONNECTION_CLOSED', 'socket closed by the worker'));
    await this.gone();
  }

  private async gone(): Promise<void> {
    clearTimeout(this.idleTimer);
    await this.deps.onGone(this);
  }

  private attachSocket(): void {
    const { sql, logger } = this.deps;
    const accountId = this.accountId;
    const socket = this.deps.socketFactory({ auth: this.auth.state, logger: logger.child({ accountId }) });
    this.socket = socket;
    socket.ev.on('creds.update', () => {
      this.auth.saveCreds().catch((err: unknown) => logger.error({ err, accountId }, 'could not save WhatsApp creds'));
    });
    socket.ev.on('connection.update', (update) => {
      this.onConnectionUpdate(socket, update).catch((err: unknown) =>
        logger.error({ err, accountId }, 'WhatsApp connection update failed'),
      );
    });
    const feedback = {
      sql,
      accountId,
      logger,
      onTimeLock: () => this.pauseNewChats(TIME_LOCKED),
      sentRecently: this.deps.sentRecently,
      pnForLid: (lid: string) => socket.signalRepository.lidMapping.getPNForLID(lid),
    };
    const failed = (err: unknown) => logger.error({ err, accountId }, 'could not record WhatsApp feedback');
    socket.ev.on('messages.update', (updates) => void onMessagesUpdate(feedback, updates).catch(failed));
    socket.ev.on('messages.upsert', (upsert) => void onMessagesUpsert(feedback, upsert).catch(failed));
    socket.ev.on('message-capping.update', (cap) => {
      if (cap.capping_status === NewChatMessageCappingStatusType.CAPPED) void this.pauseNewChats(CAPPED);
    });
  }

  /**
   * Error 463, an active reach-out time lock or the new-chat cap reached (providers.md §4.9):
   * retrying makes it worse, so WhatsApp stops for a day (TIMED_PAUSES_MS).
   */
  private async pauseNewChats(reason: { code: string; message: string }): Promise<void> {
    await pauseWhatsApp(this.deps.sql, this.accountId, reason.code, reason.message).catch((err: unknown) =>
      this.deps.logger.error({ err, accountId: this.accountId }, 'could not pause WhatsApp'),
    );
  }

  private async onConnectionUpdate(socket: WhatsAppSocket, update: Partial<ConnectionState>): Promise<void> {
    if (socket !== this.socket) return;
    if (update.qr) for (const waiter of this.qrWaiters.splice(0)) waiter(update.qr);
    if (update.reachoutTimeLock?.isActive) await this.pauseNewChats(TIME_LOCKED);
    if (update.connection === 'open') {
      // Recorded before anyone waiting is told: what they do next (a logout) must come after it.
      await markSessionConnected(this.deps.sql, this.accountId).finally(() => {
        this.isOpen = true;
        this.settleOpen.resolve();
      });
    }
    if (update.connection !== 'close') return;
    this.isOpen = false;
    if (this.ending) return;
    const statusCode = statusCodeOf(update.lastDisconnect?.error);
    const disconnect = classifyDisconnect(statusCode);
    if (disconnect.kind === 'restart') {
      this.deps.logger.info({ accountId: this.accountId }, 'WhatsApp asked for a restart; reconnecting');
      this.attachSocket();
      return;
    }
    this.deps.logger.warn(
      {
        accountId: this.accountId,
        statusCode,
        errorCode: disconnect.kind === 'terminal' ? disconnect.code : undefined,
      },
      'WhatsApp connection closed',
    );
    if (disconnect.kind === 'terminal') {
      if (disconnect.forgetCreds) await this.auth.clear();
      await markSessionDisconnected(
        this.deps.sql,
        this.accountId,
        disconnect.code,
        `WhatsApp closed the session (${statusCode})`,
      );
    }
    this.settleOpen.reject(disconnect.error);
    await this.gone();
  }
}
