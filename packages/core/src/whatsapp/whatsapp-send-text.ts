// A text to one recipient on an open socket (providers.md §4.6): the number is checked first,
// since a number without WhatsApp is the recipient's failure, not an unknown outcome.
import { DeliveryRefusedError, TransientError, UnknownOutcomeError } from '../errors.js';
import { e164Digits } from '../phone/phone-number.js';
import type { AccountConnection } from './account-connection.js';
import { CONNECTION_CLOSED, statusCodeOf } from './whatsapp-disconnects.js';

export async function sendText(
  conn: AccountConnection,
  recipientE164: string,
  text: string,
): Promise<{ externalId: string | null }> {
  let found: { jid: string; exists: boolean }[] | undefined;
  try {
    found = await conn.socket.onWhatsApp(e164Digits(recipientE164));
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
    const sent = await conn.socket.sendMessage(match.jid, { text });
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
