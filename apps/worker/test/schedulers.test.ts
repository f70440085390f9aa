// Redis losing its data while the worker runs: the job schedulers come back by themselves, and
// the sweeper they drive gives every pending message its job again, within seconds whatever the
// sweep period.
import { describe, expect, it } from 'vitest';
import { JOB_IDS, ROUTES, SCHEDULERS } from '@auto-prospect/core';
import { testEnv } from '@auto-prospect/testkit';
import type { WorkerContext } from '../src/context.js';
import { seedSmsDealer, useSmsDealers } from './support/sms-dealers.js';

const dealers = useSmsDealers();
const auth = { authorization: `Bearer ${testEnv().API_SECRET!}` };

async function schedulersPresent(context: WorkerContext): Promise<boolean[]> {
  const { fetchActiveHunts, maintenance } = context.queues;
  return Promise.all(
    [
      fetchActiveHunts.getJobScheduler(SCHEDULERS.dailyRun),
      maintenance.getJobScheduler(SCHEDULERS.pendingMessageSweeper),
      maintenance.getJobScheduler(SCHEDULERS.smsReplyPoller),
    ].map(async (scheduler) => (await scheduler) !== undefined),
  );
}

describe('job schedulers', () => {
  it(
    "come back after Redis loses its data while the worker runs, and the sweeper restores every pending message's job",
    { timeout: 30_000 },
    async () => {
      // Planning only: the messages stay pending, their jobs waiting in the SMS queue.
      const world = await dealers.world({ WORKER_ROLES: 'orchestration', SWEEP_PERIOD_SECONDS: '60' });
      const dealer = await seedSmsDealer(world.context, dealers.sms, { ads: 5, phonePrefix: '51' });
      await world.context.start();
      expect(await schedulersPresent(world.context)).toEqual([true, true, true]);
      const run = await world.context.app.inject({
        method: 'POST',
        url: ROUTES.huntRun.replace(':huntId', dealer.huntIds[0]!),
        headers: auth,
      });
      expect(run.statusCode).toBe(202);
      const pending = async () =>
        (await world.context.sql<{ id: string }[]>`select id from messages where status = 'pending'`).map((m) => m.id);
      await expect.poll(async () => (await pending()).length, { timeout: 10_000 }).toBe(5);

      await world.queuePrefix.clear();

      await expect.poll(() => schedulersPresent(world.context), { timeout: 5_000 }).toEqual([true, true, true]);
      const jobs = async () =>
        Promise.all(
          (await pending()).map(
            async (id) => (await world.context.queues.sms.getJob(JOB_IDS.message(id))) !== undefined,
          ),
        );
      await expect.poll(jobs, { timeout: 5_000 }).toEqual([true, true, true, true, true]);
    },
  );
});
