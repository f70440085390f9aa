// An unfinished run whose jobs Redis no longer has (flushed, restarted empty) would never finish:
// each sweep gives such a run its fan-out back, which redispatches every hunt still unaccounted
// for (a hunt job that still exists is left alone). Lost means: a hunt waiting for its outcome
// has no job, or no hunt is registered yet and no fan-out job is under way to register them.
import { JOB_IDS, openDailyRuns, unfinishedHuntsPage, type Logger } from '@auto-prospect/core';
import type { Sql } from '@auto-prospect/core/clients';
import { dispatchDailyRun } from './dispatch.js';
import type { Queues } from './queues.js';

/** Runs older than this are the operator's (`POST /api/daily-runs`), not the sweeper's. */
const RECENT_DAYS = 2;
/** Hunts looked at per run: one job missing among them is enough to tell. */
const SAMPLE = 100;

export async function redriveLostRuns(deps: {
  sql: Sql;
  queues: Queues;
  logger: Logger;
}): Promise<{ redriven: number }> {
  let redriven = 0;
  for (const run of await openDailyRuns(deps.sql, RECENT_DAYS)) {
    const lost =
      run.huntsRegistered === 0 ? !(await fanOutUnderWay(deps.queues)) : await someHuntJobMissing(deps, run.id);
    if (!lost) continue;
    await dispatchDailyRun(deps.queues, run.localDate, { completed: false });
    deps.logger.warn(
      { dailyRunId: run.id, localDate: run.localDate },
      'an unfinished daily run had lost its jobs (Redis lost its data?): driven again',
    );
    redriven++;
  }
  return { redriven };
}

async function someHuntJobMissing(deps: { sql: Sql; queues: Queues }, dailyRunId: string): Promise<boolean> {
  const waiting = await unfinishedHuntsPage(deps.sql, dailyRunId, new Date(), null, SAMPLE);
  const jobs = await Promise.all(
    waiting.map((huntId) => deps.queues.processHunt.getJob(JOB_IDS.hunt(dailyRunId, huntId))),
  );
  return jobs.some((job) => !job);
}

/**
 * Whether a fan-out job (a trigger's or the scheduler's) is running, due, or waiting to be
 * retried: it may still register a run's hunts. The scheduler's next day, delayed and never
 * attempted, is not. (A sweep between a trigger's insert of the run and its add of the job
 * re-adds that same job id: nothing more.)
 */
async function fanOutUnderWay(queues: Queues): Promise<boolean> {
  const counts = await queues.fetchActiveHunts.getJobCounts('active', 'waiting', 'prioritized');
  if (Object.values(counts).some((n) => n > 0)) return true;
  return (await queues.fetchActiveHunts.getDelayed()).some((job) => job.attemptsMade > 0);
}
