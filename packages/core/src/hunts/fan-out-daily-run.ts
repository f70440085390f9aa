// Starts (or resumes) the daily run of a local date: one ledger row, then one hunt job per active
// hunt, page by page with keyset pagination so memory and time stay flat however many hunts.
import { LIMITS } from '../config/worker.config.js';
import type { Sql } from '../db/client.js';
import type { Logger } from '../logging/logger.js';
import { addActiveHuntsPage, ensureDailyRun, sealDailyRunHunts } from './daily-runs.js';

export interface FanOutDeps {
  sql: Sql;
  logger: Logger;
  /** Enqueues one hunt job per id (deterministic ids per hunt and local date). */
  dispatchHunts(dailyRunId: string, localDate: string, huntIds: readonly string[]): Promise<void>;
}

export async function fanOutDailyRun(deps: FanOutDeps, localDate: string): Promise<{ dailyRunId: string; hunts: number }> {
  const started = performance.now();
  const dailyRunId = await ensureDailyRun(deps.sql, localDate);
  let after: string | null = null;
  for (;;) {
    const page = await addActiveHuntsPage(deps.sql, dailyRunId, after, LIMITS.huntsPageSize);
    if (page.length === 0) break;
    await deps.dispatchHunts(dailyRunId, localDate, page);
    after = page.at(-1)!;
  }
  const hunts = await sealDailyRunHunts(deps.sql, dailyRunId);
  deps.logger.info({ dailyRunId, localDate, hunts, durationMs: Math.round(performance.now() - started) }, 'daily run fanned out');
  return { dailyRunId, hunts };
}
