// SMS through the real queue and worker, SMSMobileAPI faked over HTTP.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encryptSecret, JOB_IDS, JOBS, PACING } from '@auto-prospect/core';
import { startFakeSmsMobileApi, type FakeSmsMobileApi } from '@auto-prospect/testkit';
import { createTestWorld, type TestWorld } from './support/test-context.js';
import { contact, createPending, credits, messageRow, seedAccount, settled } from './support/seed.js';

let sms: FakeSmsMobileApi;
let world: TestWorld;

beforeAll(async () => {
  sms = await startFakeSmsMobileApi();
  world = await createTestWorld({
    SMSMOBILEAPI_BASE_URL: sms.url,
    PROVIDER_TIMEOUT_MS: '500',
    SMS_MIN_GAP_SECONDS: '0',
  });
  await world.context.start();
});

afterAll(async () => {
  await world.teardown();
  await sms.close();
});

async function validAccount(smsCredits = 10) {
  const account = await seedAccount(world.context, { smsCredits });
  sms.keys.set(account.smsKey!, 'valid');
  return account;
}

describe('SMS delivery', () => {
  it('sends once, records the provider id, consumes exactly one credit and writes the lead', async () => {
    const account = await validAccount();
    const id = await contact(world.context, {
      accountId: account.id,
      phone: '+33612345678',
      channel: 'sms',
      text: 'Bonjour Jean',
    });

    expect(await settled(world.context.sql, id)).toMatchObject({
      status: 'sent',
      credit_state: 'consumed',
      external_id: sms.sent.at(-1)!.guid,
    });
    expect(sms.sent.at(-1)).toMatchObject({
      apikey: account.smsKey,
      recipients: '+33612345678',
      message: 'Bonjour Jean',
    });
    expect(await credits(world.context.sql, account.id)).toMatchObject({ sms: 9, sms_reserved: 0 });
    expect(
      await world.context.sql`
      select amount, balance_after from credit_transactions where message_id = ${id} and type = 'usage'`,
    ).toEqual([{ amount: -1, balance_after: 9 }]);
    expect(await world.context.sql`select stage from leads where account_id = ${account.id}`).toEqual([
      { stage: 'contacted' },
    ]);
    expect(await world.context.sql`select channel from contacted_ads where account_id = ${account.id}`).toEqual([
      { channel: 'sms' },
    ]);
  });

  it('pauses SMS for that account only when its key is revoked, releasing the reservation', async () => {
    const revoked = await seedAccount(world.context);
    const other = await validAccount();
    const id = await contact(world.context, { accountId: revoked.id, phone: '+33612345679', channel: 'sms' });

    expect(await settled(world.context.sql, id)).toMatchObject({
      status: 'failed',
      error_code: 'SMS_KEY_REVOKED',
      credit_state: 'released',
    });
    expect(await credits(world.context.sql, revoked.id)).toMatchObject({ sms: 10, sms_reserved: 0 });
    expect(
      await world.context.sql`
      select reason_code, paused_until from account_channel_pauses where account_id = ${revoked.id}`,
    ).toEqual([{ reason_code: 'SMS_KEY_REVOKED', paused_until: null }]);
    const job = await world.context.queues.sms.getJob(JOB_IDS.message(id));
    expect(job!.failedReason).toMatch(/^SMS_KEY_REVOKED/);
    expect(job!.attemptsMade).toBe(1);

    const later = await createPending(world.context, { accountId: revoked.id, phone: '+33612345670', channel: 'sms' });
    expect(later).toEqual({ created: false, reason: 'CHANNEL_PAUSED' });
    const unaffected = await contact(world.context, { accountId: other.id, phone: '+33612345671', channel: 'sms' });
    expect(await settled(world.context.sql, unaffected)).toMatchObject({ status: 'sent' });
  });

  it('ends the SMS pause once the account stores a new key (a timed pause stays), and sends again', async () => {
    const account = await seedAccount(world.context);
    const first = await contact(world.context, { accountId: account.id, phone: '+33612345660', channel: 'sms' });
    expect(await settled(world.context.sql, first)).toMatchObject({ status: 'failed', error_code: 'SMS_KEY_REVOKED' });
    await world.context.sql`
      insert into account_channel_pauses (account_id, channel, reason_code, reason, paused_until)
      values (${account.id}, 'whatsapp_text', 'WHATSAPP_REACHOUT_TIME_LOCK', 'timed', now() + interval '1 hour')`;

    const newKey = `${account.smsKey}-new`;
    sms.keys.set(newKey, 'valid');
    await world.context.sql`
      update accounts set sms_api_key = ${encryptSecret(newKey, world.context.env.SMS_API_KEY_ENCRYPTION_KEY)}
      where id = ${account.id}`;

    expect(
      await world.context.sql`select channel from account_channel_pauses where account_id = ${account.id}`,
    ).toEqual([{ channel: 'whatsapp_text' }]);
    const again = await contact(world.context, { accountId: account.id, phone: '+33612345661', channel: 'sms' });
    expect(await settled(world.context.sql, again)).toMatchObject({ status: 'sent' });
    expect(sms.sent.at(-1)).toMatchObject({ apikey: newKey, recipients: '+33612345661' });
  });

  it('treats an error inside an HTTP 200 body as a failure', async () => {
    const account = await seedAccount(world.context);
    sms.keys.set(account.smsKey!, 'expired');
    sms.modes.errorsAsHttp200 = true;
    try {
      const id = await contact(world.context, { accountId: account.id, phone: '+33612345672', channel: 'sms' });
      expect(await settled(world.context.sql, id)).toMatchObject({
        status: 'failed',
        error_code: 'SMS_PLAN_EXPIRED',
        credit_state: 'released',
      });
      // A plan renewed under the same key changes nothing the worker can see: the pause ends by itself.
      const [pause] = await world.context.sql<{ minutes: number }[]>`
        select round(extract(epoch from paused_until - now()) / 60)::int as minutes from account_channel_pauses
        where account_id = ${account.id} and channel = 'sms' and reason_code = 'SMS_PLAN_EXPIRED'`;
      expect(pause).toEqual({ minutes: PACING.setupRecheckMinutes });
    } finally {
      sms.modes.errorsAsHttp200 = false;
    }
  });

  it('retries a 5xx with backoff and sends once', async () => {
    const account = await validAccount();
    sms.modes.serverErrorNext = 1;
    const id = await contact(world.context, { accountId: account.id, phone: '+33612345673', channel: 'sms' });
    const job = await world.context.queues.sms.getJob(JOB_IDS.message(id));
    await expect.poll(() => job!.getState(), { timeout: 10_000 }).toBe('delayed');
    expect(await messageRow(world.context.sql, id)).toMatchObject({ status: 'pending', credit_state: 'reserved' });
    await job!.promote();
    expect(await settled(world.context.sql, id)).toMatchObject({ status: 'sent' });
    expect(sms.sent.filter((s) => s.recipients === '+33612345673')).toHaveLength(1);
  });

  it('honours 429 Retry-After without using an attempt', async () => {
    const account = await validAccount();
    sms.modes.rateLimitNext = 1;
    const id = await contact(world.context, { accountId: account.id, phone: '+33612345674', channel: 'sms' });
    expect(await settled(world.context.sql, id)).toMatchObject({ status: 'sent' });
    // attemptsMade counts the successful attempt only: the rate-limited try used none.
    const job = await world.context.queues.sms.getJob(JOB_IDS.message(id));
    expect(job!.attemptsMade).toBe(1);
    expect(sms.sent.filter((s) => s.recipients === '+33612345674')).toHaveLength(1);
  });

  it('marks a send whose answer never came as uncertain and never sends it again', async () => {
    const account = await validAccount();
    sms.modes.hang = true;
    try {
      const id = await contact(world.context, { accountId: account.id, phone: '+33612345675', channel: 'sms' });
      expect(await settled(world.context.sql, id)).toMatchObject({
        status: 'uncertain',
        error_code: 'SMS_NO_ANSWER',
        credit_state: 'reserved',
      });
      const job = await world.context.queues.sms.getJob(JOB_IDS.message(id));
      await expect.poll(() => job!.getState()).toBe('failed');
      expect(job!.attemptsMade).toBe(1);
    } finally {
      sms.modes.hang = false;
    }
  });

  it('fails a landline as a recipient failure without calling the provider', async () => {
    const account = await validAccount();
    const id = await contact(world.context, { accountId: account.id, phone: '+33142747158', channel: 'sms' });
    expect(await settled(world.context.sql, id)).toMatchObject({
      status: 'failed',
      error_code: 'RECIPIENT_NOT_MOBILE',
      credit_state: 'released',
    });
    // Sends only: the scheduled reply poll may read this account's phone meanwhile.
    expect(sms.requestsWithKey(account.smsKey!).filter((r) => r.path.startsWith('/sendsms'))).toEqual([]);
  });

  it('suppresses the senders of STOP replies read from the phone, once', async () => {
    const account = await validAccount();
    const now = Math.floor(Date.now() / 1000);
    sms.inbox.set(account.smsKey!, [
      { number: '0612121212', message: 'STOP', timestamp_unix: now - 30 },
      { number: '+33613131313', message: "C'est toujours dispo ?", timestamp_unix: now - 20 },
      { number: '06 14 14 14 14', message: 'désinscription', timestamp_unix: (now - 10) * 1000 },
    ]);
    const poll = () =>
      world.context.queues.maintenance
        .add(JOBS.pollSmsReplies, {})
        .then((job) => expect.poll(() => job.getState()).toBe('completed'));
    await poll();
    const suppressed = async () =>
      (
        await world.context.sql<{ phone_number: string }[]>`
      select phone_number from suppressed_phone_numbers where source_channel = 'sms'
      order by 1`
      ).map((r) => r.phone_number);
    expect(await suppressed()).toEqual(['+33612121212', '+33614141414']);
    const [cursor] = await world.context.sql<
      { last: string }[]
    >`select last_received_unix::text as last from sms_reply_cursors where account_id = ${account.id}`;
    expect(Number(cursor!.last)).toBe(now - 10);
    await poll();
    expect(await suppressed()).toEqual(['+33612121212', '+33614141414']);
  });
});
