// A channel job's whole work: send the message and, when this channel cannot reach the
// recipient, hand the contact to the hunt's next usable channel the same day.
import { sendMessage, type SendMessageDeps, type SendMessageResult } from '../messages/send-message.js';
import { handOverContact } from './hand-over-contact.js';
import type { PendingDispatch, ProcessHuntDeps } from './process-hunt.js';

export type DeliverMessageDeps = SendMessageDeps & Pick<ProcessHuntDeps, 'whatsappDailyCap' | 'spacingMs' | 'dispatch'>;

export async function deliverMessage(
  deps: DeliverMessageDeps,
  input: { messageId: string; finalAttempt: boolean; signal?: AbortSignal },
): Promise<SendMessageResult & { handedOverTo?: PendingDispatch['channel'] }> {
  const result = await sendMessage(deps, input);
  if (result.outcome !== 'failed') return result;
  const next = await handOverContact(deps, input.messageId);
  return next ? { ...result, handedOverTo: next.channel } : result;
}
