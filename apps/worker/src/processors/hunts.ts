import type { Worker } from 'bullmq';
import { JOB_PAYLOADS, processHunt, type ProcessHuntDeps } from '@auto-prospect/core';
import { defineProcessor } from '../jobs/job-boundary.js';

/** daily-hunts queue: one job per hunt and local date. */
export function huntProcessor(deps: ProcessHuntDeps, worker: () => Worker | undefined) {
  return defineProcessor({
    queue: 'hunts',
    schema: JOB_PAYLOADS.processHunt,
    logger: deps.logger,
    worker,
    handle: (data, { logger, finalAttempt }) =>
      processHunt({ ...deps, logger }, { ...data, finalAttempt }),
  });
}
