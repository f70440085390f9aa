import type { Worker } from 'bullmq';
import { CHANNEL_QUEUES, sendMessage, JOB_PAYLOADS, type Channel, type SendMessageDeps } from '@auto-prospect/core';
import { defineProcessor } from '../jobs/job-boundary.js';

/** The sms and whatsapp queues: one job per message, `{messageId, accountId}` (ids only). */
export function sendMessageProcessor(
  channel: Exclude<Channel, 'ringless_voice'>,
  deps: SendMessageDeps,
  worker: () => Worker | undefined,
) {
  return defineProcessor({
    queue: CHANNEL_QUEUES[channel],
    schema: JOB_PAYLOADS.sendMessage,
    logger: deps.logger,
    worker,
    handle: (data, { job, logger, signal, finalAttempt }) =>
      sendMessage(
        { ...deps, logger },
        {
          messageId: data.messageId,
          // Run again (held back by pacing, mostly): its account's turn checked first, its queue naming the channel.
          checkTurnFirst: job.attemptsStarted > 1 && data.accountId ? { accountId: data.accountId, channel } : null,
          // Priority 1: dispatched ahead of the account's other messages (see dispatchMessages).
          firstInLine: job.priority === 1,
          finalAttempt,
          signal,
        },
      ),
  });
}
