import { UnrecoverableError, Worker, type Processor } from 'bullmq';
import type { RedisClient } from '@auto-prospect/core/clients';
import { LIMITS, QUEUES, WORKER_SETTINGS, WorkerError, type Logger, type QueueKey } from '@auto-prospect/core';
import type { ErrorReporter } from '../error-reporting.js';
import type { Metrics } from '../metrics.js';
import { JobFailedForGood } from './job-boundary.js';

export interface WorkerDeps {
  connection: RedisClient;
  prefix: string;
  logger: Logger;
  /** How long a job's lock lasts without renewal before the job counts as stalled. */
  lockMs: number;
  /** Overrides the queue's concurrency from WORKER_SETTINGS. */
  concurrency?: number;
  /** Overrides the queue's limiter from WORKER_SETTINGS. */
  limiter?: { max: number; duration: number };
  metrics: Metrics;
  errors: ErrorReporter;
}

/** The stable code of a failure, carried by the error itself. */
function failureCode(err: Error): string {
  return err instanceof WorkerError || err instanceof JobFailedForGood ? err.code : 'UNEXPECTED_ERROR';
}

export function createWorker(key: QueueKey, processor: Processor, deps: WorkerDeps): Worker {
  const settings = WORKER_SETTINGS[key];
  const worker = new Worker(QUEUES[key], processor, {
    connection: deps.connection,
    prefix: deps.prefix,
    lockDuration: deps.lockMs,
    stalledInterval: deps.lockMs,
    maxStalledCount: LIMITS.jobStallsAllowed,
    concurrency: deps.concurrency ?? settings?.concurrency ?? 1,
    ...((deps.limiter ?? settings?.limiter) ? { limiter: deps.limiter ?? settings?.limiter } : {}),
  });
  worker.on('error', (err) => deps.logger.error({ queue: QUEUES[key], err }, 'worker error'));
  const observe = (
    job: { name: string; processedOn?: number; finishedOn?: number } | undefined,
    status: string,
    code: string,
  ) => {
    if (!job) return;
    deps.metrics.jobsTotal.inc({ queue: QUEUES[key], status, error_code: code });
    if (job.processedOn && job.finishedOn)
      deps.metrics.jobDuration.observe(
        { queue: QUEUES[key], name: job.name },
        (job.finishedOn - job.processedOn) / 1000,
      );
  };
  worker.on('completed', (job) => observe(job, 'completed', ''));
  worker.on('failed', (job, err) => {
    const code = failureCode(err);
    observe(job, 'failed', code);
    // Reported once: when no attempt is left (UnrecoverableError skips the remaining ones).
    const final = job && (err instanceof UnrecoverableError || job.attemptsMade >= (job.opts.attempts ?? 1));
    if (final)
      deps.errors.jobFailedForGood(err, {
        queue: QUEUES[key],
        jobId: job.id,
        name: job.name,
        attempts: job.attemptsMade,
        errorCode: code,
      });
  });
  return worker;
}
