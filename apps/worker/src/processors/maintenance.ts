import type { Worker } from 'bullmq';
import {
  JOB_PAYLOADS,
  JOBS,
  pollSmsReplies,
  reconcileUncertainSms,
  type Lease,
  type Logger,
  type SendingWindow,
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
  /** Re-added jobs wait for their recipients' windows too. */
  window: SendingWindow;
  logger: Logger;
  /** Both null in dry run: no provider is called. */
  inbox: SmsInbox | null;
  sentLog: SmsSentLogReader | null;
  smsKeyEncryptionKey: string;
  /**
   * The reply poll's lease, one poll at a time over every process: a poll outlasting its period
   * (thousands of phones) would otherwise be joined by the next one, which would only repeat it
   * and, with both maintenance slots taken, hold back the sweep.
   */
  pollLease(): Promise<Lease | null>;
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
      if (job.name === JOBS.pollSmsReplies) {
        if (!deps.inbox) return { skipped: 'DRY_RUN' };
        const lease = await deps.pollLease();
        if (!lease) return { skipped: 'POLL_RUNNING' };
        try {
          return await pollSmsReplies({ ...deps, inbox: deps.inbox, logger });
        } finally {
          await lease.release();
        }
      }
      const swept = await sweepPendingMessages({ ...deps, logger });
      const runs = await redriveLostRuns({ ...deps, logger });
      const reconciled = deps.sentLog
        ? await reconcileUncertainSms({ ...deps, sentLog: deps.sentLog, logger })
        : { settled: 0 };
      return { ...swept, ...runs, ...reconciled };
    },
  });
}
