// A hunt job can end for good without its processor recording anything: BullMQ fails a job that
// stalled past its limit (its process kept dying) inside a Redis script, where no processor code
// runs. Orchestration processes listen to the hunts queue's events and account for such a hunt
// on its run as failed, so the day still reaches its end; every listener may do it, only the
// first changes anything. (A trigger of the day later runs it again: see dispatchDailyRun.)
import { QueueEvents } from 'bullmq';
import { JOB_PAYLOADS, QUEUES, recordLostHunt, type Env, type Logger } from '@auto-prospect/core';
import { createRedis, type Sql } from '@auto-prospect/core/clients';
import { closeRedis, within } from '../lifecycle.js';
import type { Queues } from './queues.js';

export interface LostHuntsWatch {
  close(): Promise<void>;
}

export function watchLostHunts(deps: { queues: Queues; env: Readonly<Env>; sql: Sql; logger: Logger }): LostHuntsWatch {
  // The events are a blocking read of the queue's stream: a connection of their own.
  const connection = createRedis(deps.env, 'worker');
  connection.on('error', (err: Error) =>
    deps.logger.warn({ err: err.message }, 'redis (queue events) connection error'),
  );
  const events = new QueueEvents(QUEUES.processHunt, { connection, prefix: deps.env.QUEUE_PREFIX });
  events.on('error', (err) => deps.logger.warn({ err: err.message }, 'hunts queue events error'));
  events.on('failed', ({ jobId, failedReason }) => {
    void (async () => {
      const job = await deps.queues.processHunt.getJob(jobId);
      // Only a job that will not run again; a retried one is still on its way.
      if (!job || (await job.getState()) !== 'failed') return;
      const data = JOB_PAYLOADS.processHunt.safeParse(job.data);
      if (!data.success || !data.data.dailyRunId) return;
      await recordLostHunt(deps.sql, data.data.dailyRunId, data.data.huntId, failedReason);
    })().catch((err: unknown) =>
      deps.logger.warn(
        { jobId, err: err instanceof Error ? err.message : String(err) },
        'could not account for a failed hunt job',
      ),
    );
  });
  return {
    async close() {
      // With Redis away the events' blocking read never returns: wait a bounded time, then drop the socket.
      await within(1000, events.close(), 'closing the hunts queue events').catch((err: unknown) =>
        deps.logger.warn(
          { err: err instanceof Error ? err.message : String(err) },
          'hunts queue events not closed cleanly',
        ),
      );
      await closeRedis(connection);
    },
  };
}
