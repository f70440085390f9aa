// What a closed WhatsApp connection means for the account (providers.md §4.4).
import { DeliveryRefusedError, TransientError } from '../errors.js';

/**
 * Disconnect codes after which the session is unusable until the account is linked again. After
 * 401 (logged out) and 411 (multi-device mismatch) WhatsApp wants a new pairing: the old creds
 * are dead, and only fresh ones make linking show a QR or pairing code again.
 */
const TERMINAL_CLOSES: Record<number, { code: string; forgetCreds: boolean }> = {
  401: { code: 'WHATSAPP_LOGGED_OUT', forgetCreds: true },
  402: { code: 'WHATSAPP_BANNED', forgetCreds: false },
  403: { code: 'WHATSAPP_BANNED', forgetCreds: false },
  406: { code: 'WHATSAPP_BANNED', forgetCreds: false },
  411: { code: 'WHATSAPP_RELINK_REQUIRED', forgetCreds: true },
  440: { code: 'WHATSAPP_SESSION_REPLACED', forgetCreds: false },
};
const RESTART_REQUIRED = 515;
/** Thrown by sendMessage before anything is written to the socket. */
export const CONNECTION_CLOSED = 428;

export const statusCodeOf = (err: unknown): number | undefined =>
  (err as { output?: { statusCode?: number } } | undefined)?.output?.statusCode;

export type Disconnect =
  /** Expected right after linking: a new socket with the same auth, at once. */
  | { kind: 'restart' }
  /** Unusable until linked again: the error every waiting send gets; forgetCreds when the creds are dead. */
  | { kind: 'terminal'; code: string; forgetCreds: boolean; error: DeliveryRefusedError }
  /** 408/428/500/503…: the next send reconnects, paced by its job's backoff. */
  | { kind: 'transient'; error: TransientError };

export function classifyDisconnect(statusCode: number | undefined): Disconnect {
  if (statusCode === RESTART_REQUIRED) return { kind: 'restart' };
  const terminal = statusCode === undefined ? undefined : TERMINAL_CLOSES[statusCode];
  if (terminal) {
    return {
      kind: 'terminal',
      code: terminal.code,
      forgetCreds: terminal.forgetCreds,
      error: new DeliveryRefusedError(
        terminal.code,
        `WhatsApp closed the session (${statusCode}); link the account again`,
        'sender',
      ),
    };
  }
  return {
    kind: 'transient',
    error: new TransientError('WHATSAPP_CONNECTION_CLOSED', `WhatsApp connection closed (${statusCode ?? 'no code'})`),
  };
}
