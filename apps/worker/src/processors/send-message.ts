import type { Worker } from 'bullmq';
import { sendMessage, JOB_PAYLOADS, type SendMessageDeps, type QueueKey } from '@auto-prospect/core';
import { defineProcessor } from '../jobs/job-boundary.js';

/** The sms, whatsapp and voice queues: one job per message, `{messageId}` only. */
export function sendMessageProcessor(queue: QueueKey, deps: SendMessageDeps, worker: () => Worker | undefined) {
  return defineProcessor({
    queue,
    schema: JOB_PAYLOADS.sendMessage,
    logger: deps.logger,
    worker,
    handle: (data, { logger, signal, finalAttempt }) =>
      sendMessage({ ...deps, logger }, { ...data, finalAttempt, signal }),
  });
}
