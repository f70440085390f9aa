import { PRIORITY_LIMIT, type Queue } from 'bullmq';
import {
  CHANNEL_QUEUES,
  JOB_IDS,
  JOBS,
  LIMITS,
  type PendingDispatch,
  type SendingWindow,
  type QueueKey,
} from '@auto-prospect/core';
import type { Queues } from './queues.js';

/**
 * Enqueues a message's send job; the id makes a second dispatch of the same message a no-op. A
 * single message (a manual contact) goes first among its account's messages.
 */
export async function dispatchMessage(
  queues: Queues,
  window: SendingWindow,
  message: Omit<PendingDispatch, 'sendAt' | 'priority'> & { sendAt?: Date | null },
): Promise<void> {
  await dispatchMessages(queues, window, [{ ...message, sendAt: message.sendAt ?? null, priority: 1 }]);
}

/**
 * Each job is due at its message's planned time, or later at its recipient's own window (plans
 * are made in OUTREACH_TIMEZONE; a seller overseas is not), so none falls due early, takes its
 * account's pacing slot and waits again.
 */
export async function dispatchMessages(
  queues: Queues,
  window: SendingWindow,
  messages: readonly PendingDispatch[],
): Promise<void> {
  const byQueue = new Map<QueueKey, PendingDispatch[]>();
  for (const m of messages)
    byQueue.set(CHANNEL_QUEUES[m.channel], [...(byQueue.get(CHANNEL_QUEUES[m.channel]) ?? []), m]);
  const now = Date.now();
  for (const [queue, batch] of byQueue) {
    for (let i = 0; i < batch.length; i += LIMITS.fanoutChunk) {
      await queues[queue].addBulk(
        batch.slice(i, i + LIMITS.fanoutChunk).map((m) => ({
          name: JOBS.sendMessage,
          data: { messageId: m.id, accountId: m.accountId },
          opts: {
            jobId: JOB_IDS.message(m.id),
            delay:
              window.nextOpening(new Date(Math.max(now, m.sendAt?.getTime() ?? now)), m.recipientPhone).getTime() - now,
            // Every channel job has a priority: BullMQ runs jobs without one before all prioritized jobs.
            priority: Math.min(Math.max(1, m.priority), PRIORITY_LIMIT),
          },
        })),
      );
    }
  }
}

/**
 * Runs a finished job again under its own id (a job id blocks a new job while the old one is
 * kept): full attempts, as a new job would have. Returns false when there is no finished job.
 */
async function rerunFinishedJob(queue: Queue, jobId: string): Promise<boolean> {
  const job = await queue.getJob(jobId);
  const state = job && (await job.getState());
  if (!job || (state !== 'failed' && state !== 'completed')) return false;
  await job.retry(state, { resetAttemptsMade: true, resetAttemptsStarted: true }).catch(async (err: unknown) => {
    // Another caller ran it again first (a double click): it is live now, as this one wanted.
    if ((await job.getState()) === state) throw err;
  });
  return true;
}

/**
 * Starts the fan-out of a day's run (`run` from ensureDailyRun). The database is the truth: a run
 * that is not complete gets its fan-out again even if Redis still holds the day's finished job
 * (a fan-out or hunts that died, a database switched under the same Redis).
 */
export async function dispatchDailyRun(queues: Queues, localDate: string, run: { completed: boolean }): Promise<void> {
  const jobId = JOB_IDS.dailyRun(localDate);
  if (!run.completed && (await rerunFinishedJob(queues.fetchActiveHunts, jobId))) return;
  await queues.fetchActiveHunts.add(JOBS.fetchActiveHunts, { localDate }, { jobId });
}

/** A hunt's job for a run's day, or for its manual runs of a day (no run). */
const huntJobId = (dailyRunId: string | null, huntId: string, localDate: string) =>
  dailyRunId ? JOB_IDS.hunt(dailyRunId, huntId) : JOB_IDS.manualHunt(huntId, localDate);

/** One hunt job per hunt of the run, in chunks. */
export async function dispatchHunts(
  queues: Queues,
  dailyRunId: string | null,
  localDate: string,
  huntIds: readonly string[],
): Promise<void> {
  for (let i = 0; i < huntIds.length; i += LIMITS.fanoutChunk) {
    await queues.processHunt.addBulk(
      huntIds.slice(i, i + LIMITS.fanoutChunk).map((huntId) => ({
        name: JOBS.processHunt,
        data: { huntId, localDate, dailyRunId },
        opts: { jobId: huntJobId(dailyRunId, huntId, localDate) },
      })),
    );
  }
}

/**
 * Hunts to run (again): an ended job runs again, a missing one is added, a live one is left alone.
 * For a run, the hunts it still waits for; with no run, a manual run, which may come back the same
 * day (after credits were bought, a template fixed): the day's limits still hold.
 */
export async function redispatchHunts(
  queues: Queues,
  dailyRunId: string | null,
  localDate: string,
  huntIds: readonly string[],
): Promise<void> {
  for (const huntId of huntIds) {
    if (!(await rerunFinishedJob(queues.processHunt, huntJobId(dailyRunId, huntId, localDate))))
      await dispatchHunts(queues, dailyRunId, localDate, [huntId]);
  }
}
