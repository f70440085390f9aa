// A text to one recipient on an open socket (providers.md §4.6): the number is checked first,
// since a number without WhatsApp is the recipient's failure, not an unknown outcome.
import { within } from '../async/within.js';
import { DeliveryRefusedError, TransientError, UnknownOutcomeError } from '../errors.js';
import { e164Digits } from '../phone/phone-number.js';
import type { AccountConnection } from './account-connection.js';
import { CONNECTION_CLOSED, statusCodeOf } from './whatsapp-disconnects.js';

/**
 * `timeoutMs` bounds each call to WhatsApp, as PROVIDER_TIMEOUT_MS bounds every provider's: a
 * stuck socket holds this job's slot that long, never the queue's for Baileys' own minute.
 */
export async function sendText(
  conn: AccountConnection,
  recipientE164: string,
  text: string,
  timeoutMs: number,
): Promise<{ externalId: string | null }> {
  const timedOut = (what: string) => () => new Error(`${what} did not answer within ${timeoutMs} ms`);
  let found: { jid: string; exists: boolean }[] | undefined;
  try {
    found = await within(timeoutMs, conn.socket.onWhatsApp(e164Digits(recipientE164)), timedOut('the number check'));
  } catch (err) {
    throw new TransientError('WHATSAPP_LOOKUP_FAILED', 'could not check the number on WhatsApp', { cause: err });
  }
  if (found === undefined)
    throw new TransientError('WHATSAPP_LOOKUP_FAILED', 'WhatsApp returned nothing for the number check');
  const match = found.find((r) => r.exists);
  if (!match)
    throw new DeliveryRefusedError('WHATSAPP_NOT_ON_WHATSAPP', 'the recipient has no WhatsApp account', 'recipient');
  if (!conn.isOpen) throw new TransientError('WHATSAPP_CONNECTION_CLOSED', 'the connection closed before sending');
  try {
    const sent = await within(timeoutMs, conn.socket.sendMessage(match.jid, { text }), timedOut('the send'));
    return { externalId: sent?.key.id ?? null };
  } catch (err) {
    if (statusCodeOf(err) === CONNECTION_CLOSED)
      throw new TransientError('WHATSAPP_CONNECTION_CLOSED', 'the connection closed before sending', { cause: err });
    throw new UnknownOutcomeError(
      'WHATSAPP_SEND_UNCONFIRMED',
      'WhatsApp did not confirm the message; it may have been sent',
      { cause: err },
    );
  }
}
