import type { Worker } from 'bullmq';
import { JOB_PAYLOADS, processHunt, type ProcessHuntDeps } from '@auto-prospect/core';
import { defineProcessor } from '../jobs/job-boundary.js';

/** process-hunt queue: one job per hunt and local date. */
export function processHuntProcessor(deps: ProcessHuntDeps, worker: () => Worker | undefined) {
  return defineProcessor({
    queue: 'processHunt',
    schema: JOB_PAYLOADS.processHunt,
    logger: deps.logger,
    worker,
    handle: (data, { logger, finalAttempt }) => processHunt({ ...deps, logger }, { ...data, finalAttempt }),
  });
}
