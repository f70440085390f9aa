import type { Worker } from 'bullmq';
import { sendVoiceBatch, JOB_PAYLOADS, type SendVoiceBatchDeps } from '@auto-prospect/core';
import { defineProcessor } from '../jobs/job-boundary.js';

/** The voice queue: one job per message, `{messageId}` only; the job sends it in a batch. */
export function sendVoiceBatchProcessor(deps: SendVoiceBatchDeps, worker: () => Worker | undefined) {
  return defineProcessor({
    queue: 'voice',
    schema: JOB_PAYLOADS.sendMessage,
    logger: deps.logger,
    worker,
    handle: (data, { logger, signal, finalAttempt }) =>
      sendVoiceBatch({ ...deps, logger }, { messageId: data.messageId, finalAttempt, signal }),
  });
}
