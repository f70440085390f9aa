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
    // The queue is the channel's: with the job's account, the pacing to check before the claim.
    handle: (data, { logger, signal, finalAttempt }) =>
      sendMessage({ ...deps, logger }, { ...data, channel, finalAttempt, signal }),
  });
}
