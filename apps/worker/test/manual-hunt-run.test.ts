// POST /api/hunts/:huntId/run on a day the hunt already ran runs it again (after credits were
// bought, say), within the same day's limits: not a no-op because the day's job is still kept.
import { describe, expect, it } from 'vitest';
import { JOB_IDS, localDateOf, ROUTES, sendingWindow } from '@auto-prospect/core';
import { testEnv } from '@auto-prospect/testkit';
import type { WorkerContext } from '../src/context.js';
import { seedSmsDealer, useSmsDealers } from './support/sms-dealers.js';

const dealers = useSmsDealers();
const auth = { authorization: `Bearer ${testEnv().API_SECRET!}` };

/** Asks for a manual run and waits until the hunt's job for the day has finished once more. */
async function runHunt(context: WorkerContext, huntId: string): Promise<void> {
  const finishedOn = async (localDate: string) =>
    (await context.queues.processHunt.getJob(JOB_IDS.manualHunt(huntId, localDate)))?.finishedOn ?? 0;
  const today = localDateOf(new Date(), context.env.OUTREACH_TIMEZONE);
  const before = await finishedOn(today);
  const response = await context.app.inject({
    method: 'POST',
    url: ROUTES.huntRun.replace(':huntId', huntId),
    headers: auth,
  });
  expect(response.statusCode).toBe(202);
  const { localDate } = response.json<{ localDate: string }>();
  expect(localDate).toBe(today);
  await expect.poll(() => finishedOn(localDate), { timeout: 10_000 }).toBeGreaterThan(before);
}

describe('manual hunt run', () => {
  it('runs again on a day it already ran, planning what new credits allow, never past the hunt’s limit', async () => {
    // Planning only: the messages stay pending.
    const world = await dealers.world({ WORKER_ROLES: 'orchestration' });
    // Credits for 2 contacts of a hunt whose limit is 4.
    const spec = { ads: 6, phonePrefix: '53', limit: 4, smsCredits: 2 };
    const dealer = await seedSmsDealer(world.context, dealers.sms, spec);
    await world.context.start();
    const planned = async () =>
      (
        await world.context.sql<{ n: number }[]>`
          select count(*)::int as n from messages where account_id = ${dealer.id}`
      )[0]!.n;

    await runHunt(world.context, dealer.huntIds[0]!);
    expect(await planned()).toBe(2);
    await world.context.sql`update credit_balances set sms = sms + 10 where account_id = ${dealer.id}`;
    await runHunt(world.context, dealer.huntIds[0]!);
    expect(await planned()).toBe(4);
    await runHunt(world.context, dealer.huntIds[0]!);
    expect(await planned()).toBe(4);
    // Asked twice at once (a double click): both accepted, the job run once more.
    const url = ROUTES.huntRun.replace(':huntId', dealer.huntIds[0]!);
    const both = await Promise.all([1, 2].map(() => world.context.app.inject({ method: 'POST', url, headers: auth })));
    expect(both.map((r) => r.statusCode)).toEqual([202, 202]);
  });
});

describe('sending windows', () => {
  it('makes each contact’s job wait for its recipient’s own window (a seller in Guadeloupe)', async () => {
    // Planning only: the jobs stay in the queue.
    const world = await dealers.world({ WORKER_ROLES: 'orchestration', SENDING_WINDOWS: 'fr-canvassing' });
    const dealer = await seedSmsDealer(world.context, dealers.sms, { ads: 2, phonePrefix: '54' });
    const guadeloupe = '+590690000054';
    await world.context.sql`
      update ads set phone_number = ${guadeloupe}
      where id = (select id from ads where phone_number like '+33654%' order by phone_number limit 1)`;
    await world.context.start();
    await runHunt(world.context, dealer.huntIds[0]!);

    const planned = await world.context.sql<{ id: string; phone: string; scheduledAt: Date }[]>`
      select id, recipient_phone as phone, scheduled_at as "scheduledAt" from messages where account_id = ${dealer.id}`;
    expect(planned.map((m) => m.phone).sort()).toEqual(['+33654000002', guadeloupe]);
    const window = sendingWindow('fr-canvassing', world.context.env.OUTREACH_TIMEZONE);
    for (const m of planned) {
      const job = (await world.context.queues.sms.getJob(JOB_IDS.message(m.id)))!;
      const due = job.timestamp + (job.opts.delay ?? 0);
      const opening = window.nextOpening(m.scheduledAt, m.phone).getTime();
      expect(Math.abs(due - opening)).toBeLessThan(2_000);
    }
    // Guadeloupe's 10:00 is 15:00 (or 14:00) in Paris: never the same moment as the Paris plan.
    const there = planned.find((m) => m.phone === guadeloupe)!;
    expect(window.nextOpening(there.scheduledAt, guadeloupe).getTime()).toBeGreaterThan(there.scheduledAt.getTime());
  });
});
