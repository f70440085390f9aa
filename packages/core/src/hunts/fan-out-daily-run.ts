// Starts (or resumes, or drives again) the daily run of a local date: one ledger row, then one hunt
// job per active hunt, page by page with keyset pagination so memory and time stay flat however
// many hunts. Run again, it gives every hunt still unaccounted for its job back.
import { LIMITS } from '../config/worker.config.js';
import type { Sql } from '../db/client.js';
import type { Logger } from '../logging/logger.js';
import { addActiveHuntsPage, ensureDailyRun, sealDailyRunHunts, unfinishedHuntsPage } from './daily-runs.js';

export interface FanOutDeps {
  sql: Sql;
  logger: Logger;
  /** Enqueues one hunt job per id (deterministic ids per hunt and local date). */
  dispatchHunts(dailyRunId: string, localDate: string, huntIds: readonly string[]): Promise<void>;
  /** Gives hunts still unaccounted for their job again: a job that ended (failed, lost) runs anew. */
  redispatchHunts(dailyRunId: string, localDate: string, huntIds: readonly string[]): Promise<void>;
}

export async function fanOutDailyRun(deps: FanOutDeps, localDate: string): Promise<{ dailyRunId: string; hunts: number }> {
  const timer = performance.now();
  const { id: dailyRunId, at: started } = await ensureDailyRun(deps.sql, localDate);
  for (let after: string | null = null; ;) {
    const page = await addActiveHuntsPage(deps.sql, dailyRunId, after, LIMITS.huntsPageSize);
    if (page.last === null) break;
    if (page.added.length > 0) await deps.dispatchHunts(dailyRunId, localDate, page.added);
    after = page.last;
  }
  // Hunts registered by an earlier fan-out (a retry, a run driven again) still unaccounted for.
  for (let after: string | null = null; ;) {
    const unfinished = await unfinishedHuntsPage(deps.sql, dailyRunId, started, after, LIMITS.huntsPageSize);
    if (unfinished.length === 0) break;
    await deps.redispatchHunts(dailyRunId, localDate, unfinished);
    after = unfinished.at(-1)!;
  }
  const hunts = await sealDailyRunHunts(deps.sql, dailyRunId);
  deps.logger.info({ dailyRunId, localDate, hunts, durationMs: Math.round(performance.now() - timer) }, 'daily run fanned out');
  return { dailyRunId, hunts };
}
