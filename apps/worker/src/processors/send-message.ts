import type { Worker } from 'bullmq';
import { JOB_PAYLOADS, sendMessage, type QueueKey, type SendMessageDeps } from '@auto-prospect/core';
import { defineProcessor } from '../jobs/job-boundary.js';

/** The sms, whatsapp and voice queues: one job per message, `{messageId}` only. */
export function sendMessageProcessor(queue: QueueKey, deps: SendMessageDeps, worker: () => Worker | undefined) {
  return defineProcessor({
    queue,
    schema: JOB_PAYLOADS.sendMessage,
    logger: deps.logger,
    worker,
    handle: (data, { logger, signal, finalAttempt }) =>
      sendMessage({ ...deps, logger: logger.child({ messageId: data.messageId }) }, { messageId: data.messageId, finalAttempt, signal }),
  });
}
