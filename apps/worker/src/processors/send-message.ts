import type { Worker } from 'bullmq';
import { deliverMessage, JOB_PAYLOADS, type DeliverMessageDeps, type QueueKey } from '@auto-prospect/core';
import { defineProcessor } from '../jobs/job-boundary.js';

/** The sms, whatsapp and voice queues: one job per message, `{messageId}` only. */
export function sendMessageProcessor(queue: QueueKey, deps: DeliverMessageDeps, worker: () => Worker | undefined) {
  return defineProcessor({
    queue,
    schema: JOB_PAYLOADS.sendMessage,
    logger: deps.logger,
    worker,
    handle: (data, { logger, signal, finalAttempt }) =>
      deliverMessage({ ...deps, logger }, { messageId: data.messageId, finalAttempt, signal }),
  });
}
