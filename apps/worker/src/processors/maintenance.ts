import type { Worker } from 'bullmq';
import {
  JOB_PAYLOADS,
  JOBS,
  pollSmsReplies,
  reconcileUncertainSms,
  type Logger,
  type SmsInbox,
  type SmsSentLogReader,
} from '@auto-prospect/core';
import type { Sql } from '@auto-prospect/core/clients';
import { defineProcessor } from '../jobs/job-boundary.js';
import { sweepPendingMessages } from '../jobs/sweep-pending-messages.js';
import { redriveLostRuns } from '../jobs/redrive-lost-runs.js';
import type { Queues } from '../jobs/queues.js';

export interface MaintenanceDeps {
  sql: Sql;
  queues: Queues;
  logger: Logger;
  /** Both null in dry run: no provider is called. */
  inbox: SmsInbox | null;
  sentLog: SmsSentLogReader | null;
  smsKeyEncryptionKey: string;
}

/**
 * maintenance-sweeps queue. The sweep puts back the send job of any message that lost it and the
 * fan-out of any recent unfinished run that lost its jobs, and settles uncertain SMS from the
 * provider's sent log; the poll reads SMS replies (accounts without a webhook). Both are small
 * and periodic, so they share one queue.
 */
export function maintenanceProcessor(deps: MaintenanceDeps, worker: () => Worker | undefined) {
  return defineProcessor({
    queue: 'maintenance',
    schema: JOB_PAYLOADS.maintenance,
    logger: deps.logger,
    worker,
    handle: async (_data, { job, logger }) => {
      if (job.name === JOBS.pollSmsReplies)
        return deps.inbox ? pollSmsReplies({ ...deps, inbox: deps.inbox, logger }) : { skipped: 'DRY_RUN' };
      const swept = await sweepPendingMessages({ ...deps, logger });
      const runs = await redriveLostRuns({ ...deps, logger });
      const reconciled = deps.sentLog
        ? await reconcileUncertainSms({ ...deps, sentLog: deps.sentLog, logger })
        : { settled: 0 };
      return { ...swept, ...runs, ...reconciled };
    },
  });
}
