// What the database and Redis say of a fault world's day: how far the run is, whether Redis holds
// again all the work a flush took, and what is left stuck.
import { CHANNEL_QUEUES, JOB_IDS, SCHEDULERS, type Channel } from '@auto-prospect/core';
import type { WorkerContext } from '../src/context.js';

export async function runState(sql: WorkerContext['sql']) {
  const [row] = await sql<{ run: string | null; active: number; huntsRunning: number }[]>`
    select (select status::text from daily_runs order by started_at desc limit 1) as run,
           (select count(*)::int from messages where status in ('pending', 'sending')) as active,
           (select count(*)::int from daily_run_hunts where status = 'running') as "huntsRunning"`;
  return row!;
}

/**
 * Whether Redis holds the job schedulers again, a job for every message still pending or
 * sending and one for every hunt of a run still running: all the work a flush took is back.
 */
export async function requeued({ sql, queues }: WorkerContext): Promise<boolean> {
  const schedulers = await Promise.all([
    queues.fetchActiveHunts.getJobScheduler(SCHEDULERS.dailyRun),
    queues.maintenance.getJobScheduler(SCHEDULERS.pendingMessageSweeper),
    queues.maintenance.getJobScheduler(SCHEDULERS.smsReplyPoller),
  ]);
  if (schedulers.some((scheduler) => !scheduler)) return false;
  const messages = await sql<
    { id: string; channel: Channel }[]
  >`select id, channel from messages where status in ('pending', 'sending')`;
  const hunts = await sql<{ runId: string; huntId: string }[]>`
    select daily_run_id as "runId", hunt_id as "huntId" from daily_run_hunts where status = 'running'`;
  const jobs = await Promise.all([
    ...messages.map((m) => queues[CHANNEL_QUEUES[m.channel]].getJob(JOB_IDS.message(m.id))),
    ...hunts.map((h) => queues.processHunt.getJob(JOB_IDS.hunt(h.runId, h.huntId))),
  ]);
  return jobs.every(Boolean);
}

/** Messages still pending/sending, hunts still running, and the run if it is not completed. */
export async function stuckCount(sql: WorkerContext['sql']): Promise<number> {
  const state = await runState(sql);
  return state.active + state.huntsRunning + (state.run === 'completed' ? 0 : 1);
}
