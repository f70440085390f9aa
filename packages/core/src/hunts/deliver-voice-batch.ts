// The voice queue's job: send the message in a batch and, for each contact Voice Partner cannot
// reach, hand it to the hunt's next usable channel the same day (created with the failure,
// dispatched once it is committed, ahead of the account's later messages).
import { sendVoiceBatch, type SendVoiceBatchDeps, type SendVoiceBatchInput, type SendVoiceBatchResult } from '../messages/send-voice-batch.js';
import { handOverContact, type HandOverDeps } from './hand-over-contact.js';
import type { ProcessHuntDeps } from './process-hunt.js';

export type DeliverVoiceBatchDeps = Omit<SendVoiceBatchDeps, 'handOver'> & HandOverDeps & Pick<ProcessHuntDeps, 'dispatch'>;

export function deliverVoiceBatch(deps: DeliverVoiceBatchDeps, input: SendVoiceBatchInput): Promise<SendVoiceBatchResult> {
  return sendVoiceBatch({
    ...deps,
    handOver: {
      nextChannel: (tx, failed) => handOverContact(tx, deps, failed),
      async dispatch(next) {
        await deps.dispatch([{ ...next, priority: 1 }]);
        deps.logger.info({ nextMessageId: next.id, channel: next.channel }, 'contact handed over to the next channel');
      },
    },
  }, input);
}
