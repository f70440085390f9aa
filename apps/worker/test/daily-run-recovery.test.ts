// A day's run that jobs left unfinished — its fan-out or its hunt jobs failed for good without
// recording anything, as a crash loop leaves them — is driven again by the next trigger: the
// database says the run is not complete, whatever finished jobs Redis still holds.
import { UnrecoverableError, Worker } from 'bullmq';
import { describe, expect, it } from 'vitest';
import {
  ensureDailyRun,
  fetchActiveHunts,
  JOB_IDS,
  JOBS,
  localDateOf,
  QUEUES,
  ROUTES,
  type QueueKey,
} from '@auto-prospect/core';
import { createRedis } from '@auto-prospect/core/clients';
import { testEnv } from '@auto-prospect/testkit';
import type { WorkerContext } from '../src/context.js';
import { dispatchHunts } from '../src/jobs/dispatch.js';
import { seedSmsDealer, useSmsDealers } from './support/sms-dealers.js';

const dealers = useSmsDealers();
const auth = { authorization: `Bearer ${testEnv().API_SECRET!}` };

/** A worker of another (dying) process: fails every job of the queue for good, recording nothing. */
async function failJobsOf(context: WorkerContext, queue: QueueKey, jobIds: string[]): Promise<void> {
  const connection = createRedis(context.env, 'worker');
  const crashing = new Worker(QUEUES[queue], () => Promise.reject(new UnrecoverableError('the process died')), {
    connection,
    prefix: context.env.QUEUE_PREFIX,
  });
  try {
    await expect
      .poll(async () => Promise.all(jobIds.map(async (id) => (await context.queues[queue].getJob(id))?.getState())), {
        timeout: 10_000,
      })
      .toEqual(jobIds.map(() => 'failed'));
  } finally {
    await crashing.close();
    connection.disconnect();
  }
}

async function runState(context: WorkerContext) {
  const [run] = await context.sql<{ status: string; hunts_done: number }[]>`select status, hunts_done from daily_runs`;
  const [sent] = await context.sql<{ n: number }[]>`select count(*)::int as n from messages where status = 'sent'`;
  return { ...run, sent: sent!.n };
}

describe('a daily run left unfinished', () => {
  it('whose fan-out job failed for good is driven again by the next trigger', { timeout: 40_000 }, async () => {
    const world = await dealers.world();
    await seedSmsDealer(world.context, dealers.sms, { ads: 10, phonePrefix: '61', hunts: 2, limit: 3 });
    const localDate = localDateOf(new Date(), world.context.env.OUTREACH_TIMEZONE);
    await ensureDailyRun(world.context.sql, localDate);
    await world.context.queues.fetchActiveHunts.add(
      JOBS.fetchActiveHunts,
      { localDate },
      { jobId: JOB_IDS.dailyRun(localDate) },
    );
    await failJobsOf(world.context, 'fetchActiveHunts', [JOB_IDS.dailyRun(localDate)]);

    await world.context.start();
    const trigger = await world.context.app.inject({ method: 'POST', url: ROUTES.dailyRuns, headers: auth });
    expect(trigger.statusCode).toBe(202);
    await expect
      .poll(() => runState(world.context), { timeout: 20_000 })
      .toEqual({ status: 'completed', hunts_done: 2, sent: 6 });
  });

  it(
    "on a database reset under the same Redis runs again, though the date's completed job is still kept",
    { timeout: 40_000 },
    async () => {
      const world = await dealers.world();
      await seedSmsDealer(world.context, dealers.sms, { ads: 10, phonePrefix: '64', hunts: 1, limit: 3 });
      await world.context.start();
      await world.context.app.inject({ method: 'POST', url: ROUTES.dailyRuns, headers: auth });
      await expect
        .poll(() => runState(world.context), { timeout: 20_000 })
        .toEqual({ status: 'completed', hunts_done: 1, sent: 3 });
      const localDate = localDateOf(new Date(), world.context.env.OUTREACH_TIMEZONE);
      expect(await (await world.context.queues.fetchActiveHunts.getJob(JOB_IDS.dailyRun(localDate)))!.getState()).toBe(
        'completed',
      );

      // The database is reset (its runs and contacts gone); Redis still remembers the day's job.
      await world.context.sql`
      truncate daily_runs, messages, contacted_ads, leads, credit_transactions, hunt_daily_contacts, account_daily_sends
      cascade`;
      await world.context.app.inject({ method: 'POST', url: ROUTES.dailyRuns, headers: auth });
      await expect
        .poll(() => runState(world.context), { timeout: 20_000 })
        .toEqual({ status: 'completed', hunts_done: 1, sent: 3 });
    },
  );

  it(
    'whose hunt jobs failed for good without recording anything gets them run again, paused hunts included',
    { timeout: 40_000 },
    async () => {
      const world = await dealers.world();
      const dealer = await seedSmsDealer(world.context, dealers.sms, {
        ads: 10,
        phonePrefix: '62',
        hunts: 2,
        limit: 3,
      });
      const localDate = localDateOf(new Date(), world.context.env.OUTREACH_TIMEZONE);
      const { queues, sql, logger } = world.context;
      const { dailyRunId } = await fetchActiveHunts(
        {
          sql,
          logger,
          dispatchHunts: (runId, date, huntIds) => dispatchHunts(queues, runId, date, huntIds),
          redispatchHunts: () => Promise.reject(new Error('a first fan-out has nothing to redispatch')),
        },
        localDate,
      );
      await failJobsOf(
        world.context,
        'processHunt',
        dealer.huntIds.map((id) => JOB_IDS.hunt(dailyRunId, id)),
      );
      expect(await runState(world.context)).toEqual({ status: 'running', hunts_done: 0, sent: 0 });
      // Meanwhile the dealer pauses one of them: it is still the run's to account for.
      await world.context.sql`update hunts set status = 'paused' where id = ${dealer.huntIds[1]!}`;

      await world.context.start();
      await world.context.app.inject({ method: 'POST', url: ROUTES.dailyRuns, headers: auth });
      await expect
        .poll(() => runState(world.context), { timeout: 20_000 })
        .toEqual({ status: 'completed', hunts_done: 2, sent: 3 });
    },
  );

  it(
    'whose hunt job failed for good without recording anything still completes, that hunt accounted as failed',
    { timeout: 40_000 },
    async () => {
      const world = await dealers.world();
      const dealer = await seedSmsDealer(world.context, dealers.sms, {
        ads: 10,
        phonePrefix: '63',
        hunts: 2,
        limit: 3,
      });
      await world.context.start();
      // This process stops taking hunt jobs; another one takes them and dies with them.
      await world.context.workers.find((w) => w.name === QUEUES.processHunt)!.pause();
      const { runId } = (
        await world.context.app.inject({ method: 'POST', url: ROUTES.dailyRuns, headers: auth })
      ).json<{ runId: string }>();
      await failJobsOf(
        world.context,
        'processHunt',
        dealer.huntIds.map((id) => JOB_IDS.hunt(runId, id)),
      );

      await expect
        .poll(async () => (await world.context.sql`select status, hunts_failed from daily_runs`)[0], {
          timeout: 10_000,
        })
        .toEqual({ status: 'completed', hunts_failed: 2 });
      const lost = await world.context.sql`select error_code from daily_run_hunts`;
      expect(lost).toEqual([{ error_code: 'HUNT_JOB_LOST' }, { error_code: 'HUNT_JOB_LOST' }]);
    },
  );
});
