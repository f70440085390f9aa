import { Queue } from 'bullmq';
import type { RedisClient } from '@auto-prospect/core/clients';
import { JOB_OPTIONS, QUEUES, type Logger, type QueueKey } from '@auto-prospect/core';

export type Queues = Readonly<Record<QueueKey, Queue>>;

/** One producer per queue; retry policies travel as default *job* options. */
export function createQueues(connection: RedisClient, prefix: string, logger: Logger): Queues {
  const entries = (Object.keys(QUEUES) as QueueKey[]).map((key) => {
    const queue = new Queue(QUEUES[key], { connection, prefix, defaultJobOptions: { ...JOB_OPTIONS[key] } });
    queue.on('error', (err) => logger.warn({ queue: QUEUES[key], err: err.message }, 'queue error'));
    return [key, queue] as const;
  });
  return Object.freeze(Object.fromEntries(entries) as Record<QueueKey, Queue>);
}
