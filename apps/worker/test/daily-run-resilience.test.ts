// A daily run survives a second worker process, a Redis that lost its data and a SIGKILL.
import { describe, expect, it } from 'vitest';
import { JOBS, QUEUES, ROUTES } from '@auto-prospect/core';
import { testEnv } from '@auto-prospect/testkit';
import type { WorkerContext } from '../src/context.js';
import { credits } from './support/seed.js';
import { seedSmsDealer, useSmsDealers, type SmsDealerSpec } from './support/sms-dealers.js';
import { startWorkerProcess } from './support/worker-process.js';

const dealers = useSmsDealers({ STALLED_JOB_SECONDS: '2' });
const auth = { authorization: `Bearer ${testEnv().API_SECRET!}` };

/** One account (SMS only) with `hunts` hunts over the same `ads` Paris ads. */
const seedSmsTenant = (context: WorkerContext, spec: SmsDealerSpec) => seedSmsDealer(context, dealers.sms, spec);

const smsTo = (prefix: string) => dealers.sms.sent.filter((s) => s.recipients.startsWith(`+336${prefix}`));

async function statuses(context: WorkerContext) {
  return context.sql<
    { status: string; n: number }[]
  >`select status, count(*)::int as n from messages group by status order by status`;
}

async function runCompleted(context: WorkerContext): Promise<boolean> {
  const [run] = await context.sql<{ status: string }[]>`select status from daily_runs`;
  const [active] = await context.sql<
    { n: number }[]
  >`select count(*)::int as n from messages where status in ('pending', 'sending')`;
  return run?.status === 'completed' && active!.n === 0;
}

/**
 * Every contact ended sent or uncertain, no number got two SMS, and the provider saw every sent
 * message plus possibly the uncertain ones (cut off after the request left, before the answer
 * was recorded).
 */
async function expectEachContactAtMostOnce(context: WorkerContext, prefix: string, contacts: number): Promise<void> {
  const sent = smsTo(prefix).map((s) => s.recipients);
  expect(new Set(sent).size).toBe(sent.length);
  const final = await statuses(context);
  expect(final.filter((s) => !['sent', 'uncertain'].includes(s.status))).toEqual([]);
  expect(final.reduce((sum, s) => sum + s.n, 0)).toBe(contacts);
  const count = (status: string) => final.find((s) => s.status === status)?.n ?? 0;
  expect(sent.length).toBeGreaterThanOrEqual(count('sent'));
  expect(sent.length).toBeLessThanOrEqual(count('sent') + count('uncertain'));
}

describe('daily run resilience', () => {
  it('two worker processes on the same run exceed no hunt limit and no credit, and send nothing twice', async () => {
    const w = await dealers.world();
    const account = await seedSmsTenant(w.context, {
      ads: 100,
      hunts: 2,
      limit: 25,
      smsCredits: 30,
      phonePrefix: '11',
    });
    const second = w.addProcess();
    await Promise.all([w.context.start(), second.start()]);
    const runs = await Promise.all(
      [w.context, second].map((c) => c.app.inject({ method: 'POST', url: ROUTES.dailyRuns, headers: auth })),
    );
    expect(new Set(runs.map((r) => r.json<{ runId: string }>().runId)).size).toBe(1);

    await expect.poll(() => runCompleted(w.context), { timeout: 30_000 }).toBe(true);
    expect(await statuses(w.context)).toEqual([{ status: 'sent', n: 30 }]);
    const perHunt = await w.context.sql<{ contacts: number }[]>`select contacts from hunt_daily_contacts`;
    expect(perHunt.every((h) => h.contacts <= 25)).toBe(true);
    expect(perHunt.reduce((sum, h) => sum + h.contacts, 0)).toBe(30);
    expect(await credits(w.context.sql, account.id)).toMatchObject({ sms: 0, sms_reserved: 0 });
    const recipients = smsTo('11').map((s) => s.recipients);
    expect(recipients).toHaveLength(30);
    expect(new Set(recipients).size).toBe(30);
  });

  it('restores every pending message after Redis lost its data, sending none twice', async () => {
    const w = await dealers.world({ SMS_MIN_GAP_SECONDS: '0.1' });
    await seedSmsTenant(w.context, { ads: 30, hunts: 1, limit: 30, smsCredits: 100, phonePrefix: '22' });
    await w.context.start();
    await w.context.app.inject({ method: 'POST', url: ROUTES.dailyRuns, headers: auth });
    await expect
      .poll(async () => (await w.context.sql<{ n: number }[]>`select count(*)::int as n from messages`)[0]!.n, {
        timeout: 15_000,
      })
      .toBe(30);
    await expect.poll(() => smsTo('22').length, { timeout: 15_000 }).toBeGreaterThan(0);

    await w.queuePrefix.clear();
    const pendingAfterFlush = (
      await w.context.sql<{ n: number }[]>`select count(*)::int as n from messages where status = 'pending'`
    )[0]!.n;
    expect(pendingAfterFlush).toBeGreaterThan(0);
    await w.context.queues.maintenance.add(JOBS.sweepPendingMessages, {});

    await expect.poll(() => runCompleted(w.context), { timeout: 30_000 }).toBe(true);
    await expectEachContactAtMostOnce(w.context, '22', 30);
  });

  it(
    'finishes a run whose hunt jobs Redis lost before they ran: the sweep drives it again',
    { timeout: 40_000 },
    async () => {
      const w = await dealers.world({ SMS_MIN_GAP_SECONDS: '0' });
      await seedSmsTenant(w.context, { ads: 12, hunts: 3, limit: 4, smsCredits: 100, phonePrefix: '23' });
      // Planning is held back, as a busy day's hunts wait in the queue when Redis loses its data.
      await w.context.start();
      await w.context.workers.find((worker) => worker.name === QUEUES.processHunt)!.pause();
      await w.context.app.inject({ method: 'POST', url: ROUTES.dailyRuns, headers: auth });
      await expect
        .poll(async () => (await w.context.sql<{ n: number }[]>`select hunts_total as n from daily_runs`)[0]?.n, {
          timeout: 15_000,
        })
        .toBe(3);
      await w.queuePrefix.clear();
      void w.context.workers.find((worker) => worker.name === QUEUES.processHunt)!.resume();

      await w.context.queues.maintenance.add(JOBS.sweepPendingMessages, {});
      await expect.poll(() => runCompleted(w.context), { timeout: 30_000 }).toBe(true);
      await expectEachContactAtMostOnce(w.context, '23', 12);
    },
  );

  it(
    'finishes a run whose fan-out job Redis lost before it registered a hunt: ' +
      'the next sweep drives it again, however young the run',
    { timeout: 40_000 },
    async () => {
      const w = await dealers.world({ SMS_MIN_GAP_SECONDS: '0' });
      await seedSmsTenant(w.context, { ads: 8, hunts: 2, limit: 4, smsCredits: 100, phonePrefix: '24' });
      await w.context.start();
      const fanOut = w.context.workers.find((worker) => worker.name === QUEUES.fetchActiveHunts)!;
      await fanOut.pause();
      await w.context.app.inject({ method: 'POST', url: ROUTES.dailyRuns, headers: auth });
      await w.queuePrefix.clear();
      void fanOut.resume();

      // Seconds after the trigger, far within the sweep period (60 s here).
      await w.context.queues.maintenance.add(JOBS.sweepPendingMessages, {});
      await expect.poll(() => runCompleted(w.context), { timeout: 30_000 }).toBe(true);
      await expectEachContactAtMostOnce(w.context, '24', 8);
    },
  );

  it(
    'completes after the worker process running it is killed, sending no contact twice',
    { timeout: 60_000 },
    async () => {
      const w = await dealers.world({ SMS_MIN_GAP_SECONDS: '0.1' });
      await seedSmsTenant(w.context, { ads: 40, hunts: 1, limit: 40, smsCredits: 100, phonePrefix: '33' });
      const env = testEnv({
        DATABASE_URL: w.db.url,
        QUEUE_PREFIX: w.queuePrefix.prefix,
        SMSMOBILEAPI_BASE_URL: dealers.sms.url,
        SMS_MIN_GAP_SECONDS: '0.1',
        STALLED_JOB_SECONDS: '2',
        LOG_LEVEL: 'info',
      });
      const doomed = startWorkerProcess(env);
      await doomed.url;
      await w.context.app.inject({ method: 'POST', url: ROUTES.dailyRuns, headers: auth });
      await expect.poll(() => smsTo('33').length, { timeout: 15_000 }).toBeGreaterThanOrEqual(5);
      doomed.child.kill('SIGKILL');
      await doomed.exited();

      await w.context.start();
      await expect.poll(() => runCompleted(w.context), { timeout: 40_000 }).toBe(true);
      // With a 2 s lock a busy process may see its own hunt job as stalled and run it twice; the
      // second run only adds what the first had not yet planned, so wait for every contact.
      await expect
        .poll(async () => (await statuses(w.context)).reduce((sum, s) => sum + s.n, 0), { timeout: 10_000 })
        .toBe(40);
      await expect.poll(() => runCompleted(w.context), { timeout: 20_000 }).toBe(true);
      await expectEachContactAtMostOnce(w.context, '33', 40);
    },
  );
});
