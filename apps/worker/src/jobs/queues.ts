import { Queue, Worker, type Processor } from 'bullmq';
import type { Redis } from 'ioredis';
import { JOB_OPTIONS, QUEUES, WORKER_SETTINGS, type Logger, type QueueKey } from '@auto-prospect/core';

export type Queues = Readonly<Record<QueueKey, Queue>>;

/** One producer per queue; retry policies travel as default *job* options. */
export function createQueues(connection: Redis, prefix: string, logger: Logger): Queues {
  const entries = (Object.keys(QUEUES) as QueueKey[]).map((key) => {
    const queue = new Queue(QUEUES[key], { connection, prefix, defaultJobOptions: { ...JOB_OPTIONS[key] } });
    queue.on('error', (err) => logger.warn({ queue: QUEUES[key], err: err.message }, 'queue error'));
    return [key, queue] as const;
  });
  return Object.freeze(Object.fromEntries(entries) as Record<QueueKey, Queue>);
}

export interface WorkerDeps {
  connection: Redis;
  prefix: string;
  logger: Logger;
  /** How long a job's lock lasts without renewal before the job counts as stalled. */
  lockMs: number;
  /** Overrides the queue's concurrency from WORKER_SETTINGS. */
  concurrency?: number;
  /** Overrides the queue's limiter from WORKER_SETTINGS. */
  limiter?: { max: number; duration: number };
}

export function createWorker(key: QueueKey, processor: Processor, deps: WorkerDeps): Worker {
  const settings = WORKER_SETTINGS[key];
  const worker = new Worker(QUEUES[key], processor, {
    connection: deps.connection,
    prefix: deps.prefix,
    lockDuration: deps.lockMs,
    stalledInterval: deps.lockMs,
    concurrency: deps.concurrency ?? settings?.concurrency ?? 1,
    ...(deps.limiter ?? settings?.limiter ? { limiter: deps.limiter ?? settings?.limiter } : {}),
  });
  worker.on('error', (err) => deps.logger.error({ queue: QUEUES[key], err }, 'worker error'));
  return worker;
}
