import type { Worker } from 'bullmq';
import { fetchActiveHunts, JOB_PAYLOADS, localDateOf, type FetchActiveHuntsDeps } from '@auto-prospect/core';
import { defineProcessor } from '../jobs/job-boundary.js';

/**
 * fetch-active-hunts queue: starts a daily run. A job from the scheduler carries no date: the
 * run's day is the one it was scheduled for (not "now", which a late or retried job would shift).
 */
export function fetchActiveHuntsProcessor(
  deps: FetchActiveHuntsDeps & { timeZone: string },
  worker: () => Worker | undefined,
) {
  return defineProcessor({
    queue: 'fetchActiveHunts',
    schema: JOB_PAYLOADS.fetchActiveHunts,
    logger: deps.logger,
    worker,
    handle: (data, { job, logger }) =>
      fetchActiveHunts(
        { ...deps, logger },
        data.localDate ?? localDateOf(new Date(job.timestamp + (job.delay ?? 0)), deps.timeZone),
      ),
  });
}
