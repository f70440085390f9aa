// An account's messages due together, through the real queue and worker: pacing lets one go and
// holds the others back in Redis, without claiming and releasing their rows at each slot.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { JOB_IDS } from '@auto-prospect/core';
import { startFakeSmsMobileApi, type FakeSmsMobileApi } from '@auto-prospect/testkit';
import { createTestWorld, type TestWorld } from './support/test-context.js';
import { contact, seedAccount, settled } from './support/seed.js';

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
  it('holds an account’s other due messages back without touching their rows', async () => {
    const account = await seedAccount(world.context);
    sms.keys.set(account.smsKey!, 'valid');
    const phones = ['+33611000701', '+33611000702', '+33611000703'];
    const ids: string[] = [];
    for (const phone of phones)
      ids.push(await contact(world.context, { accountId: account.id, phone, channel: 'sms' }));
    const jobs = await Promise.all(ids.map((id) => world.context.queues.sms.getJob(JOB_IDS.message(id))));
    // One goes; the others wait for the account's next slot, 10 to 20 minutes away.
    await expect
      .poll(async () => (await Promise.all(jobs.map((j) => j!.getState()))).sort())
      .toEqual(['completed', 'delayed', 'delayed']);
    expect(sms.requestsWithKey(account.smsKey!)).toHaveLength(1);
    const sent = ids.find((id) => sms.sent.some((s) => s.recipients === phones[ids.indexOf(id)]))!;
    expect(await settled(world.context.sql, sent)).toMatchObject({ status: 'sent' });
    const waiting = await world.context.sql<{ status: string; touched: boolean }[]>`
      select status, updated_at <> created_at or claimed_at is not null as touched
      from messages where id in ${world.context.sql(ids.filter((id) => id !== sent))}`;
    expect(waiting).toEqual([
      { status: 'pending', touched: false },
      { status: 'pending', touched: false },
    ]);
  });
});
