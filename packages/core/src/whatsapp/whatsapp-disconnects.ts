// What a closed WhatsApp connection means for the account (providers.md §4.4).
import { DeliveryRefusedError, TransientError } from '../errors.js';

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
export const LOGGED_OUT = 401;
/** Thrown by sendMessage before anything is written to the socket. */
export const CONNECTION_CLOSED = 428;

export const statusCodeOf = (err: unknown): number | undefined =>
  (err as { output?: { statusCode?: number } } | undefined)?.output?.statusCode;

export type Disconnect =
  /** Expected right after linking: a new socket with the same auth, at once. */
  | { kind: 'restart' }
  /** Unusable until linked again: the error every waiting send gets. */
  | { kind: 'terminal'; code: string; error: DeliveryRefusedError }
  /** 408/428/500/503…: the next send reconnects, paced by its job's backoff. */
  | { kind: 'transient'; error: TransientError };

export function classifyDisconnect(statusCode: number | undefined): Disconnect {
  if (statusCode === RESTART_REQUIRED) return { kind: 'restart' };
  const terminal = statusCode === undefined ? undefined : TERMINAL_CLOSES[statusCode];
  if (terminal) {
    return {
      kind: 'terminal',
      code: terminal,
      error: new DeliveryRefusedError(
        terminal,
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
