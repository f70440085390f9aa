import type { Worker } from 'bullmq';
import { JOB_PAYLOADS, type Logger } from '@auto-prospect/core';
import type { Sql } from '@auto-prospect/core/clients';
import { defineProcessor } from '../jobs/job-boundary.js';
import { sweepPendingMessages } from '../jobs/sweep-pending-messages.js';
import type { Queues } from '../jobs/queues.js';

/** maintenance-sweeps queue: puts back the send job of any message that lost it. */
export function maintenanceProcessor(deps: { sql: Sql; queues: Queues; logger: Logger }, worker: () => Worker | undefined) {
  return defineProcessor({
    queue: 'maintenance',
    schema: JOB_PAYLOADS.sweepPendingMessages,
    logger: deps.logger,
    worker,
    handle: (_data, { logger }) => sweepPendingMessages({ ...deps, logger }),
  });
}
