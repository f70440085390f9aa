import type { Worker } from 'bullmq';
import { ingestLobstrRun, JOB_PAYLOADS, type LobstrClient, type Logger } from '@auto-prospect/core';
import type { Sql } from '@auto-prospect/core/clients';
import { defineProcessor } from '../jobs/job-boundary.js';

/** scraping queue: one job per Lobstr run id. */
export function scrapingProcessor(
  deps: { sql: Sql; lobstr: LobstrClient; logger: Logger },
  worker: () => Worker | undefined,
) {
  return defineProcessor({
    queue: 'scraping',
    schema: JOB_PAYLOADS.ingestLobstrRun,
    logger: deps.logger,
    worker,
    handle: (data, { logger, signal, finalAttempt }) =>
      ingestLobstrRun({ ...deps, logger }, { lobstrRunId: data.lobstrRunId, finalAttempt, signal }),
  });
}
