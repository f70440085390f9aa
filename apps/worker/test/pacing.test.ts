// An account's messages due together, through the real queue and worker: pacing lets one go and
// holds the others back in Redis, each with its place in the account's line; woken again, they do
// not claim and release their rows.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ALWAYS_OPEN, JOB_IDS } from '@auto-prospect/core';
import { startFakeSmsMobileApi, type FakeSmsMobileApi } from '@auto-prospect/testkit';
import { dispatchMessages } from '../src/jobs/dispatch.js';
import { createTestWorld, type TestWorld } from './support/test-context.js';
import { contact, createPending, seedAccount, settled } from './support/seed.js';

let sms: FakeSmsMobileApi;
let world: TestWorld;

beforeAll(async () => {
  sms = await startFakeSmsMobileApi();
  world = await createTestWorld({ SMSMOBILEAPI_BASE_URL: sms.url, SMS_MIN_GAP_SECONDS: '600' });
  await world.context.start();
});

afterAll(async () => {
  await world.teardown();
  await sms.close();
});

describe('pacing', () => {
  it('holds an account’s other due messages back, and at their next try leaves their rows alone', async () => {
    const account = await seedAccount(world.context);
    sms.keys.set(account.smsKey!, 'valid');
    const phones = ['+33611000701', '+33611000702', '+33611000703'];
    const ids: string[] = [];
    for (const phone of phones)
      ids.push(await contact(world.context, { accountId: account.id, phone, channel: 'sms' }));
    const jobs = await Promise.all(ids.map((id) => world.context.queues.sms.getJob(JOB_IDS.message(id))));
    const states = async () => (await Promise.all(jobs.map((j) => j!.getState()))).sort();
    // One goes; the others wait for the account's next slot, 10 to 20 minutes away.
    await expect.poll(states).toEqual(['completed', 'delayed', 'delayed']);
    expect(sms.requestsWithKey(account.smsKey!)).toHaveLength(1);
    const sent = ids.find((id) => sms.sent.some((s) => s.recipients === phones[ids.indexOf(id)]))!;
    expect(await settled(world.context.sql, sent)).toMatchObject({ status: 'sent' });
    const waiting = ids.filter((id) => id !== sent);
    const rows = () => world.context.sql<{ status: string; updatedAt: Date; claimedAt: Date | null }[]>`
      select status, updated_at as "updatedAt", claimed_at as "claimedAt" from messages
      where id in ${world.context.sql(waiting)} order by id`;
    const before = await rows();

    // Woken before the slot (as a herd of them would be at each slot): each asks Redis again,
    // without claiming and releasing its row.
    const delayed = jobs.filter((j) => waiting.includes((j!.data as { messageId: string }).messageId));
    await Promise.all(delayed.map((j) => j!.promote()));
    await expect
      .poll(async () =>
        (await Promise.all(delayed.map((j) => world.context.queues.sms.getJob(j!.id!)))).map((j) => j!.attemptsStarted),
      )
      .toEqual([2, 2]);
    await expect.poll(states).toEqual(['completed', 'delayed', 'delayed']);
    expect(await rows()).toEqual(before);
    expect(before.every((m) => m.status === 'pending' && m.claimedAt === null)).toBe(true);
    expect(sms.requestsWithKey(account.smsKey!)).toHaveLength(1);
  });

  it('sends a backlog one per slot, each message woken about twice rather than at every slot', async () => {
    const paced = await createTestWorld({ SMSMOBILEAPI_BASE_URL: sms.url, SMS_MIN_GAP_SECONDS: '0.5' });
    try {
      await paced.context.start();
      const account = await seedAccount(paced.context, { smsCredits: 20 });
      sms.keys.set(account.smsKey!, 'valid');
      const backlog = 10;
      const phones = Array.from({ length: backlog }, (_, i) => `+336110008${String(i).padStart(2, '0')}`);
      const ids: string[] = [];
      for (const phone of phones) {
        const created = await createPending(paced.context, { accountId: account.id, phone, channel: 'sms' });
        if (!created.created) throw new Error(created.reason);
        ids.push(created.messageId);
      }
      // All due at once (after an outage, say), ranked as a hunt's dispatch ranks them.
      await dispatchMessages(
        paced.context.queues,
        ALWAYS_OPEN,
        ids.map((id, i) => ({
          id,
          accountId: account.id,
          channel: 'sms' as const,
          recipientPhone: phones[i]!,
          sendAt: null,
          priority: i + 1,
        })),
      );
      await expect.poll(() => sms.requestsWithKey(account.smsKey!).length, { timeout: 30_000 }).toBe(backlog);
      const jobs = await Promise.all(ids.map((id) => paced.context.queues.sms.getJob(JOB_IDS.message(id))));
      // Woken at every slot until its own, the backlog's jobs would run 55 times in all.
      const runs = jobs.reduce((n, job) => n + job!.attemptsStarted, 0);
      expect(runs).toBeLessThan(3.5 * backlog);
    } finally {
      await paced.teardown();
    }
  });
});
