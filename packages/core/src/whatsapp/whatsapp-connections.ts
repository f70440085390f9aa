// What the rest of the worker does with WhatsApp accounts: send, listen, link, log out. The
// sockets themselves live in the connection pool (one per account across processes).
import { TIMEOUTS_MS } from '../config/worker.config.js';
import { NotNowError } from '../errors.js';
import { e164Digits } from '../phone/phone-number.js';
import { createConnectionPool, type WhatsAppConnectionsOptions } from './connection-pool.js';
import { createRecentSends } from './whatsapp-feedback.js';
import { sendText } from './whatsapp-send-text.js';

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
  const recentSends = createRecentSends();
  const pool = createConnectionPool(options, recentSends.has);
  return {
    async send(accountId, recipientE164, text) {
      const conn = await pool.openConnection(accountId);
      const sent = await sendText(conn, recipientE164, text, options.requestTimeoutMs ?? TIMEOUTS_MS.providerRequest);
      if (sent.externalId) recentSends.remember(sent.externalId);
      conn.touch();
      return sent;
    },

    async listen(accountId) {
      try {
        await pool.openConnection(accountId);
        return true;
      } catch (err) {
        if (err instanceof NotNowError) return false;
        throw err;
      }
    },

    async link(accountId, phoneNumber) {
      const conn = await pool.connection(accountId);
      if (conn.isOpen) return { alreadyLinked: true };
      const firstQr = conn.nextQr();
      const result = await Promise.race([
        conn.opened.then(() => ({ alreadyLinked: true }) as const),
        firstQr.then(async (qr) =>
          phoneNumber ? { pairingCode: await conn.socket.requestPairingCode(e164Digits(phoneNumber)) } : { qr },
        ),
      ]);
      return result;
    },

    async logout(accountId) {
      const conn = await pool.openConnection(accountId);
      // WhatsApp answers with a 401 close, which clears the creds and marks the session.
      await conn.socket.logout();
    },

    closeAll: () => pool.closeAll(),
  };
}
