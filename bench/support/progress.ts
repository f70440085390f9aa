// Waiting on the work a benchmark started, without taking from it: in-memory conditions polled,
// a worker's own events rather than Redis, and a bound so that a stuck run stops with a reason.
import type { Job, Worker } from 'bullmq';

const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Far beyond any batch's time: a stuck run (failed jobs, a lost fake) stops the bench with a reason. */
const STUCK_MS = 120_000;
export const until = async (done: () => boolean | Promise<boolean>) => {
  const deadline = Date.now() + STUCK_MS;
  while (!(await done())) {
    if (Date.now() > deadline) throw new Error(`no progress for ${STUCK_MS / 1000} s: the run is stuck`);
    await pause(5);
  }
};

/**
 * Settles with their results once every job named has completed on `worker`, a worker of this
 * process, and fails at the first failed attempt of one of them: told by the worker's own events,
 * where polling each job's state in Redis would compete with the work being timed.
 */
export function jobsDone(worker: Worker, jobIds: readonly string[]): Promise<unknown[]> {
  const waiting = new Set(jobIds);
  const results: unknown[] = [];
  return new Promise((resolve, reject) => {
    const stop = () => {
      worker.off('completed', completed);
      worker.off('failed', failed);
    };
    const completed = (job: Job, result: unknown) => {
      if (!waiting.delete(job.id!)) return;
      results.push(result);
      if (waiting.size > 0) return;
      stop();
      resolve(results);
    };
    const failed = (job: Job | undefined, err: Error) => {
      if (!job || !waiting.has(job.id!)) return;
      stop();
      reject(err);
    };
    worker.on('completed', completed);
    worker.on('failed', failed);
  });
}
