// The one place where core's failure taxonomy becomes BullMQ behaviour:
//   permanent / unknown outcome → UnrecoverableError (fail now, never retry)
//   rate limited                → worker.rateLimit + RateLimitError (wait, no attempt used)
//   not now                     → moveToDelayed + DelayedError (run again at resumeAt)
//   anything else               → rethrown: retried with the queue's backoff
import { DelayedError, UnrecoverableError, Worker, type Job, type Processor } from 'bullmq';
import type { z } from 'zod';
import {
  errorCodeOf,
  NotNowError,
  QUEUES,
  RateLimitedError,
  WorkerError,
  type Logger,
  type QueueKey,
} from '@auto-prospect/core';

/**
 * A job that must not run again. The code travels as a field to metrics, logs and error reports;
 * the message, which BullMQ keeps as the job's failedReason for people, starts with it too.
 */
export class JobFailedForGood extends UnrecoverableError {
  constructor(
    readonly code: string,
    detail: string,
  ) {
    super(`${code}: ${detail}`);
  }
}

export interface JobContext {
  job: Job;
  logger: Logger;
  signal?: AbortSignal;
  /** This attempt is the job's last: a failure now is final. */
  finalAttempt: boolean;
}

export interface ProcessorDefinition<S extends z.ZodType> {
  queue: QueueKey;
  schema: S;
  logger: Logger;
  /** The worker running this processor (for rate limiting); set once it is created. */
  worker: () => Worker | undefined;
  handle(data: z.infer<S>, context: JobContext): Promise<unknown>;
}

export function defineProcessor<S extends z.ZodType>(definition: ProcessorDefinition<S>): Processor {
  return async (job, token, signal) => {
    const jobLogger = definition.logger.child({
      queue: QUEUES[definition.queue],
      jobId: job.id,
      attempt: job.attemptsMade + 1,
    });
    const parsed = definition.schema.safeParse(job.data);
    if (!parsed.success) {
      jobLogger.error({ errorCode: 'INVALID_JOB_DATA' }, 'job data does not match its schema');
      throw new JobFailedForGood(
        'INVALID_JOB_DATA',
        parsed.error.issues.map((i) => `${i.path.join('.')} ${i.message}`).join('; '),
      );
    }
    // Job data is ids only (messageId, huntId, dailyRunId, …): every line of the job carries them.
    const logger = jobLogger.child(parsed.data as Record<string, unknown>);
    const finalAttempt = job.attemptsMade + 1 >= (job.opts.attempts ?? 1);
    try {
      return await definition.handle(parsed.data, { job, logger, signal, finalAttempt });
    } catch (err) {
      const errorCode = errorCodeOf(err);
      if (err instanceof RateLimitedError) {
        logger.warn({ errorCode, retryAfterMs: err.retryAfterMs }, 'rate limited by the provider');
        await definition.worker()?.rateLimit(err.retryAfterMs);
        throw Worker.RateLimitError();
      }
      if (err instanceof NotNowError) {
        logger.info({ errorCode, resumeAt: err.resumeAt.toISOString() }, 'postponed');
        await job.moveToDelayed(err.resumeAt.getTime(), token);
        throw new DelayedError();
      }
      if (err instanceof WorkerError && (err.kind === 'permanent' || err.kind === 'unknown_outcome')) {
        logger.error({ errorCode, err: err.message }, 'job failed for good');
        throw new JobFailedForGood(err.code, err.message);
      }
      logger.warn(
        { errorCode, err: err instanceof Error ? err.message : String(err), finalAttempt },
        'job attempt failed',
      );
      throw err;
    }
  };
}
