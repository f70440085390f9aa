import type { Worker } from 'bullmq';
import { JOB_PAYLOADS, JOBS, pollSmsOptOuts, type Logger, type SmsInbox } from '@auto-prospect/core';
import type { Sql } from '@auto-prospect/core/clients';
import { defineProcessor } from '../jobs/job-boundary.js';
import { sweepPendingMessages } from '../jobs/sweep-pending-messages.js';
import type { Queues } from '../jobs/queues.js';

export interface MaintenanceDeps {
  sql: Sql;
  queues: Queues;
  logger: Logger;
  inbox: SmsInbox;
  smsKeyEncryptionKey: string;
}

/**
 * maintenance-sweeps queue: puts back the send job of any message that lost it, and reads SMS
 * replies for opt-outs. Both are small and periodic, so they share one queue.
 */
export function maintenanceProcessor(deps: MaintenanceDeps, worker: () => Worker | undefined) {
  return defineProcessor({
    queue: 'maintenance',
    schema: JOB_PAYLOADS.sweepPendingMessages,
    logger: deps.logger,
    worker,
    handle: (_data, { job, logger }) =>
      job.name === JOBS.pollSmsReplies ? pollSmsOptOuts({ ...deps, logger }) : sweepPendingMessages({ ...deps, logger }),
  });
}
