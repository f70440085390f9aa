// The voice queue's job: send the message in a batch and, for each contact Voice Partner cannot
// reach, hand it to the hunt's next usable channel the same day (created with the failure,
// dispatched once it is committed, ahead of the account's later messages).
import {
  sendVoiceBatchExactlyOnce,
  type SendVoiceBatchExactlyOnceDeps,
  type SendVoiceBatchInput,
  type SendVoiceBatchResult,
} from '../messages/send-voice-batch-exactly-once.js';
import { handOverContact, type HandOverDeps } from './hand-over-contact.js';
import type { ProcessHuntDeps } from './process-hunt.js';

export type SendVoiceBatchDeps = Omit<SendVoiceBatchExactlyOnceDeps, 'handOver'> &
  HandOverDeps &
  Pick<ProcessHuntDeps, 'dispatch'>;

export function sendVoiceBatch(deps: SendVoiceBatchDeps, input: SendVoiceBatchInput): Promise<SendVoiceBatchResult> {
  return sendVoiceBatchExactlyOnce(
    {
      ...deps,
      handOver: {
        nextChannel: (tx, failed) => handOverContact(tx, deps, failed),
        async dispatch(next) {
          await deps.dispatch([{ ...next, priority: 1 }]);
          deps.logger.info(
            { nextMessageId: next.id, channel: next.channel },
            'contact handed over to the next channel',
          );
        },
      },
    },
    input,
  );
}
