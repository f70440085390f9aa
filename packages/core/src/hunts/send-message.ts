// A channel job's whole work: send the message and, when this channel cannot reach the
// recipient, hand the contact to the hunt's next usable channel the same day (created with the
// failure, dispatched once it is committed).
import {
  sendExactlyOnce,
  type SendExactlyOnceDeps,
  type SendExactlyOnceInput,
  type SendMessageResult,
} from '../messages/send-exactly-once.js';
import { handOverContact, type HandOverDeps } from './hand-over-contact.js';
import type { ProcessHuntDeps } from './process-hunt.js';

export type SendMessageDeps = SendExactlyOnceDeps & HandOverDeps & Pick<ProcessHuntDeps, 'dispatch'>;

export async function sendMessage(deps: SendMessageDeps, input: SendExactlyOnceInput): Promise<SendMessageResult> {
  const result = await sendExactlyOnce(
    { ...deps, nextChannel: (tx, failed) => handOverContact(tx, deps, failed) },
    input,
  );
  if (result.outcome === 'failed' && result.handedOver) {
    // Handed over within the day it was planned for: it goes ahead of the account's later messages.
    await deps.dispatch([{ ...result.handedOver, priority: 1 }]);
    deps.logger.info(
      { nextMessageId: result.handedOver.id, channel: result.handedOver.channel },
      'contact handed over to the next channel',
    );
  }
  return result;
}
