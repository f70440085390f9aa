// An unfinished run whose jobs Redis no longer has (flushed, restarted empty) would never finish:
// each sweep gives such a run its fan-out back, which redispatches every hunt still unaccounted
// for (a hunt job that still exists is left alone). Lost means: a hunt waiting for its outcome
// has no job, or no hunt was ever registered a sweep period after the run began.
import { JOB_IDS, openDailyRuns, unfinishedHuntsPage, type Logger } from '@auto-prospect/core';
import type { Sql } from '@auto-prospect/core/clients';
import { dispatchDailyRun } from './dispatch.js';
import type { Queues } from './queues.js';

/** Runs older than this are the operator's (`POST /api/daily-runs`), not the sweeper's. */
const RECENT_DAYS = 2;
/** Hunts looked at per run: one job missing among them is enough to tell. */
const SAMPLE = 100;

export async function redriveLostRuns(deps: { sql: Sql; queues: Queues; logger: Logger; periodMs: number }): Promise<{ redriven: number }> {
  let redriven = 0;
  for (const run of await openDailyRuns(deps.sql, RECENT_DAYS)) {
    const lost = run.huntsRegistered === 0
      ? Date.now() - run.startedAt.getTime() > deps.periodMs
      : await someHuntJobMissing(deps, run.id);
    if (!lost) continue;
    await dispatchDailyRun(deps.queues, run.localDate, { completed: false });
    deps.logger.warn({ dailyRunId: run.id, localDate: run.localDate }, 'an unfinished daily run had lost its jobs (Redis lost its data?): driven again');
    redriven++;
  }
  return { redriven };
}

async function someHuntJobMissing(deps: { sql: Sql; queues: Queues }, dailyRunId: string): Promise<boolean> {
  const waiting = await unfinishedHuntsPage(deps.sql, dailyRunId, new Date(), null, SAMPLE);
  const jobs = await Promise.all(waiting.map((huntId) => deps.queues.hunts.getJob(JOB_IDS.hunt(dailyRunId, huntId))));
  return jobs.some((job) => !job);
}
