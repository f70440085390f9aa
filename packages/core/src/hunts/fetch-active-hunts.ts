// Starts (or resumes, or drives again) the daily run of a local date: one ledger row, then one hunt
// job per active hunt, page by page with keyset pagination so memory and time stay flat however
// many hunts. Run again, it gives every hunt still unaccounted for its job back.
import { LIMITS } from '../config/worker.config.js';
import type { Sql } from '../db/client.js';
import type { Logger } from '../logging/logger.js';
import { addActiveHuntsPage, ensureDailyRun, sealDailyRunHunts, unfinishedHuntsPage } from './daily-runs.js';

export interface FetchActiveHuntsDeps {
  sql: Sql;
  logger: Logger;
  /** Enqueues one hunt job per id (deterministic ids per hunt and local date). */
  dispatchHunts(dailyRunId: string, localDate: string, huntIds: readonly string[]): Promise<void>;
  /** Gives hunts still unaccounted for their job again: a job that ended (failed, lost) runs anew. */
  redispatchHunts(dailyRunId: string, localDate: string, huntIds: readonly string[]): Promise<void>;
}

export async function fetchActiveHunts(
  deps: FetchActiveHuntsDeps,
  localDate: string,
): Promise<{ dailyRunId: string; hunts: number }> {
  const timer = performance.now();
  const { id: dailyRunId, at: started } = await ensureDailyRun(deps.sql, localDate);
  // The next page is read (and registered) while the current one is enqueued: two pages in memory
  // at most. A hunt registered but not enqueued (a crash between the two) is redispatched below
  // when the run is driven again, as before.
  let next = addActiveHuntsPage(deps.sql, dailyRunId, null, LIMITS.huntsPageSize);
  for (let page = await next; page.last !== null; page = await next) {
    next = addActiveHuntsPage(deps.sql, dailyRunId, page.last, LIMITS.huntsPageSize);
    // Both settle before going on: a failed enqueue never leaves a page query running behind it.
    const [enqueued] = await Promise.allSettled([deps.dispatchHunts(dailyRunId, localDate, page.added), next]);
    if (enqueued.status === 'rejected') throw enqueued.reason;
  }
  // Hunts registered by an earlier fan-out (a retry, a run driven again) still unaccounted for.
  for (let after: string | null = null; ;) {
    const unfinished = await unfinishedHuntsPage(deps.sql, dailyRunId, started, after, LIMITS.huntsPageSize);
    if (unfinished.length === 0) break;
    await deps.redispatchHunts(dailyRunId, localDate, unfinished);
    after = unfinished.at(-1)!;
  }
  const hunts = await sealDailyRunHunts(deps.sql, dailyRunId);
  deps.logger.info(
    { dailyRunId, localDate, hunts, durationMs: Math.round(performance.now() - timer) },
    'daily run fanned out',
  );
  return { dailyRunId, hunts };
}
