// The repeatable jobs (daily run, sweeper, SMS reply poll) are BullMQ job schedulers, which live
// in Redis: a flush, or a Redis restarted empty, erases them. Orchestration processes upsert them
// at boot, then check every SCHEDULER_CHECK_MS and put back any that is missing; a restored
// sweeper runs at once, so losing Redis data costs about a second, not a sweep period. Only a
// missing scheduler is re-added, so replicas rarely upsert at the same instant (upserting is
// idempotent by id anyway).
import type { RedisClient } from '@auto-prospect/core/clients';
import { JOBS, SCHEDULER_CHECK_MS, SCHEDULERS, SMS_REPLY_POLL_CRON, type Env, type Logger } from '@auto-prospect/core';
import type { Queues } from './queues.js';

export interface Schedulers {
  /** Upserts every scheduler (at boot: applies a changed DAILY_RUN_CRON or period). */
  upsert(): Promise<void>;
  /** From now on, restores missing schedulers (checked every SCHEDULER_CHECK_MS while `redis` is connected). */
  keepAlive(redis: RedisClient): void;
  /** Whether each scheduler exists in Redis now, by scheduler id. */
  present(): Promise<Record<string, boolean>>;
  stop(): void;
}

interface SchedulerDefinition {
  queue: Queues[keyof Queues];
  id: string;
  repeat: { pattern: string; tz: string } | { every: number };
  name: string;
}

/** The repeatable jobs: daily run, pending message sweeper, SMS reply poll. */
function schedulerDefinitions(queues: Queues, env: Readonly<Env>): SchedulerDefinition[] {
  const tz = env.OUTREACH_TIMEZONE;
  return [
    {
      queue: queues.fetchActiveHunts,
      id: SCHEDULERS.dailyRun,
      repeat: { pattern: env.DAILY_RUN_CRON, tz },
      name: JOBS.fetchActiveHunts,
    },
    {
      queue: queues.maintenance,
      id: SCHEDULERS.pendingMessageSweeper,
      repeat: { every: env.SWEEP_PERIOD_SECONDS * 1000 },
      name: JOBS.sweepPendingMessages,
    },
    {
      queue: queues.maintenance,
      id: SCHEDULERS.smsReplyPoller,
      repeat: { pattern: SMS_REPLY_POLL_CRON, tz },
      name: JOBS.pollSmsReplies,
    },
  ];
}

function upsertScheduler(d: SchedulerDefinition) {
  return d.queue.upsertJobScheduler(d.id, d.repeat, { name: d.name, data: {} });
}

/** Puts back every scheduler missing from Redis; a failed check is logged and left to the next one. */
async function restoreMissing(definitions: SchedulerDefinition[], logger: Logger): Promise<void> {
  try {
    for (const definition of definitions) {
      if (await definition.queue.getJobScheduler(definition.id)) continue;
      await upsertScheduler(definition);
      logger.warn({ scheduler: definition.id }, 'job scheduler was missing (Redis lost its data?): restored');
    }
  } catch (err) {
    logger.warn(
      { err: err instanceof Error ? err.message : String(err) },
      'could not check the job schedulers; trying again',
    );
  }
}

async function schedulersPresent(definitions: SchedulerDefinition[]): Promise<Record<string, boolean>> {
  const found = await Promise.all(
    definitions.map(async (d) => [d.id, (await d.queue.getJobScheduler(d.id)) !== undefined] as const),
  );
  return Object.fromEntries(found);
}

export function createSchedulers(queues: Queues, env: Readonly<Env>, logger: Logger): Schedulers {
  const definitions = schedulerDefinitions(queues, env);
  let timer: NodeJS.Timeout | undefined;
  let checking = false;
  return {
    async upsert() {
      for (const definition of definitions) await upsertScheduler(definition);
    },
    present: () => schedulersPresent(definitions),
    keepAlive(redis) {
      timer = setInterval(() => {
        // While Redis is away there is nothing to check (and nothing to log each second); a
        // check that is still under way (a slow Redis) is not doubled.
        if (checking || redis.status !== 'ready') return;
        checking = true;
        void restoreMissing(definitions, logger).finally(() => (checking = false));
      }, SCHEDULER_CHECK_MS);
      timer.unref();
    },
    stop() {
      clearInterval(timer);
    },
  };
}
