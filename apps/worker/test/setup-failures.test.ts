// A dealer's SMS key that stops working fails that day's contacts without burning their ads or
// their places in the hunt's day: once a new key is stored, a later day's run contacts the same
// sellers on SMS.
import { describe, expect, it } from 'vitest';
import { encryptSecret, JOB_IDS, JOBS } from '@auto-prospect/core';
import type { WorkerContext } from '../src/context.js';
import { seedSmsDealer, useSmsDealers } from './support/sms-dealers.js';

const dealers = useSmsDealers();

async function runHuntOn(context: WorkerContext, huntId: string, localDate: string): Promise<void> {
  const job = await context.queues.processHunt.add(
    JOBS.processHunt,
    { huntId, localDate, dailyRunId: null },
    { jobId: JOB_IDS.manualHunt(huntId, localDate) },
  );
  await expect.poll(() => job.getState(), { timeout: 15_000 }).toBe('completed');
}

/** The account's messages of a day, once none of them waits to be sent. */
async function settledDay(context: WorkerContext, accountId: string, localDate: string) {
  const day = () => context.sql<{ adId: string; status: string; blame: string | null }[]>`
    select ad_id as "adId", status, failure_blame as blame from messages
    where account_id = ${accountId} and local_date = ${localDate} order by ad_id`;
  await expect
    .poll(async () => (await day()).filter((m) => ['pending', 'sending'].includes(m.status)), { timeout: 15_000 })
    .toEqual([]);
  return day();
}

describe('a broken SMS key', () => {
  it('fails the day’s contacts; once a new key is stored, a later day contacts the same sellers on SMS', async () => {
    const world = await dealers.world();
    await world.context.start();
    const dealer = await seedSmsDealer(world.context, dealers.sms, { ads: 3, phonePrefix: '55', smsCredits: 10 });
    const huntId = dealer.huntIds[0]!;
    // SMSMobileAPI no longer knows the key (revoked on the dealer's phone).
    dealers.sms.keys.delete(dealer.smsKey!);

    await runHuntOn(world.context, huntId, '2026-12-01');
    const failed = await settledDay(world.context, dealer.id, '2026-12-01');
    expect(failed).toHaveLength(3);
    expect(failed.every((m) => m.status === 'failed' && ['sender', 'paused'].includes(m.blame!))).toBe(true);
    // Nobody was reached: the hunt's day has its places back.
    expect(
      await world.context.sql`
        select contacts from hunt_daily_contacts where hunt_id = ${huntId} and local_date = '2026-12-01'`,
    ).toEqual([{ contacts: 0 }]);

    const newKey = `${dealer.smsKey}-new`;
    dealers.sms.keys.set(newKey, 'valid');
    await world.context.sql`
      update accounts set sms_api_key = ${encryptSecret(newKey, world.context.env.SMS_API_KEY_ENCRYPTION_KEY)}
      where id = ${dealer.id}`;
    await runHuntOn(world.context, huntId, '2026-12-02');
    const sent = await settledDay(world.context, dealer.id, '2026-12-02');
    expect(sent.map((m) => m.status)).toEqual(['sent', 'sent', 'sent']);
    expect(sent.map((m) => m.adId)).toEqual(failed.map((m) => m.adId));
    expect(dealers.sms.sent.filter((s) => s.apikey === newKey)).toHaveLength(3);
  });
});
