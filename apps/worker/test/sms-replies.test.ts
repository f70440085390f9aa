// Replies read by polling /getsms/ (accounts without a Webhook V2 secret) through the real queue,
// Redis and Postgres, SMSMobileAPI faked over HTTP: the answers §1.4 allows besides the sample.
import { randomUUID } from 'node:crypto';
import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger, JOBS } from '@auto-prospect/core';
import { startFakeSmsMobileApi, type FakeSmsMobileApi } from '@auto-prospect/testkit';
import { createTestWorld, type TestWorld } from './support/test-context.js';
import { contact, seedAccount, settled, type SeededAccount } from './support/seed.js';

let sms: FakeSmsMobileApi;
let world: TestWorld;
const logLines: string[] = [];

beforeAll(async () => {
  sms = await startFakeSmsMobileApi();
  const sink = new Writable({
    write: (chunk: Buffer, _encoding, done) => {
      logLines.push(...chunk.toString().split('\n').filter(Boolean));
      done();
    },
  });
  world = await createTestWorld(
    { SMSMOBILEAPI_BASE_URL: sms.url, SMS_MIN_GAP_SECONDS: '0' },
    { logger: createLogger('debug', sink) },
  );
  await world.context.start();
});

afterAll(async () => {
  await world.teardown();
  await sms.close();
});

/** An account whose key the fake knows before the account exists, so no poll ever sees it refused. */
async function validAccount(): Promise<SeededAccount> {
  const smsKey = `sms-key-${randomUUID()}`;
  sms.keys.set(smsKey, 'valid');
  return seedAccount(world.context, { smsKey });
}

async function poll(): Promise<void> {
  const job = await world.context.queues.maintenance.add(JOBS.pollSmsReplies, {});
  await expect.poll(() => job.getState()).toBe('completed');
}

/** The codes of the account's failed reads, as logged. */
const failedReads = (accountId: string) =>
  logLines
    .map((l) => JSON.parse(l) as Record<string, unknown>)
    .filter((l) => l.accountId === accountId && l.msg === 'could not read the SMS replies of an account')
    .map((l) => l.errorCode);

const cursor = (accountId: string) => world.context.sql`
  select last_received_unix::int as last from sms_reply_cursors where account_id = ${accountId}`;

describe('polling SMS replies', () => {
  it('takes a key refused inside an HTTP 200 body for a revoked key and pauses its SMS; others are read', async () => {
    sms.modes.errorsAsHttp200 = true;
    try {
      const revoked = await seedAccount(world.context);
      const other = await validAccount();
      const now = Math.floor(Date.now() / 1000);
      sms.inbox.set(other.smsKey!, [{ number: '+33611000950', message: 'STOP', timestamp_unix: now }]);
      await poll();
      expect(failedReads(revoked.id)).toContain('SMS_KEY_REVOKED');
      // Paused as a refused send would pause it: no contact is planned on a dead key.
      expect(
        await world.context.sql`select reason_code from account_channel_pauses where account_id = ${revoked.id}`,
      ).toEqual([{ reason_code: 'SMS_KEY_REVOKED' }]);
      expect(await cursor(revoked.id)).toEqual([]);
      expect(await cursor(other.id)).toEqual([{ last: now }]);
    } finally {
      sms.modes.errorsAsHttp200 = false;
    }
  });

  it('reads `sms: null` as an empty inbox, then the replies that come, by their numeric guid', async () => {
    Object.assign(sms.modes, { emptyInboxAsNull: true, numericGuids: true });
    try {
      const account = await validAccount();
      const sent = await contact(world.context, { accountId: account.id, phone: '+33611000951', channel: 'sms' });
      expect(await settled(world.context.sql, sent)).toMatchObject({ status: 'sent' });
      await poll();
      expect(failedReads(account.id)).toEqual([]);
      expect(await cursor(account.id)).toEqual([{ last: 0 }]);

      await sms.receive(account.smsKey!, { from: '+33611000951', message: 'STOP' });
      await poll();
      const [got] = sms.inbox.get(account.smsKey!)!;
      expect(
        await world.context.sql`
        select external_id, answers_message_id, opt_out from inbound_messages where account_id = ${account.id}`,
      ).toEqual([{ external_id: String(got!.guid), answers_message_id: sent, opt_out: true }]);
      expect(failedReads(account.id)).toEqual([]);
    } finally {
      Object.assign(sms.modes, { emptyInboxAsNull: false, numericGuids: false });
    }
  });

  it('keeps a phone clock far ahead from moving its cursor past now, and every account is still read', async () => {
    const ahead = await validAccount();
    const other = await validAccount();
    const year2100 = 4_102_444_800;
    sms.inbox.set(ahead.smsKey!, [{ number: '+33611000952', message: 'Bonjour', timestamp_unix: year2100 }]);
    await poll();
    const now = Math.floor(Date.now() / 1000);
    expect((await cursor(ahead.id))[0]!.last).toBeLessThanOrEqual(now);
    // A cursor past 2038 once broke the poll's read of every account's cursor.
    sms.inbox.set(other.smsKey!, [{ number: '+33611000953', message: 'STOP', timestamp_unix: now }]);
    await poll();
    expect(
      await world.context.sql`select 1 from suppressed_phone_numbers where phone_number = '+33611000953'`,
    ).toHaveLength(1);
  });

  it('leaves SMS running for an account whose inbox read is only rate limited', async () => {
    const limited = await validAccount();
    sms.keys.set(limited.smsKey!, 'rate_limited');
    await poll();
    expect(failedReads(limited.id)).toContain('SMS_RATE_LIMITED');
    expect(await world.context.sql`select 1 from account_channel_pauses where account_id = ${limited.id}`).toEqual([]);
  });
});

describe('polling the replies of many dealers', () => {
  it('reads the other accounts, and sweeps, while a few phones never answer; one poll at a time', async () => {
    const timeoutMs = 5_000;
    const dealers = await createTestWorld({ SMSMOBILEAPI_BASE_URL: sms.url, PROVIDER_TIMEOUT_MS: String(timeoutMs) });
    try {
      await dealers.context.start();
      // Written first, so a poll reading the accounts one after the other would wait on each of them.
      for (let i = 0; i < 3; i++) {
        const smsKey = `sms-key-${randomUUID()}`;
        sms.keys.set(smsKey, 'hanging');
        await seedAccount(dealers.context, { smsKey });
      }
      const smsKey = `sms-key-${randomUUID()}`;
      sms.keys.set(smsKey, 'valid');
      const other = await seedAccount(dealers.context, { smsKey });
      const now = Math.floor(Date.now() / 1000);
      sms.inbox.set(smsKey, [{ number: '+33611000954', message: 'STOP', timestamp_unix: now }]);

      const job = await dealers.context.queues.maintenance.add(JOBS.pollSmsReplies, {});
      const otherCursor = () => dealers.context.sql`
        select last_received_unix::int as last from sms_reply_cursors where account_id = ${other.id}`;
      // Read while the hanging phones still hold their reads (each for PROVIDER_TIMEOUT_MS).
      await expect.poll(otherCursor, { timeout: timeoutMs - 1_000 }).toEqual([{ last: now }]);
      // A second poll meanwhile steps aside rather than read the same phones again, and the sweep
      // runs beside the poll, not after it.
      const again = await dealers.context.queues.maintenance.add(JOBS.pollSmsReplies, {});
      const sweep = await dealers.context.queues.maintenance.add(JOBS.sweepPendingMessages, {});
      await expect.poll(() => sweep.getState(), { timeout: timeoutMs - 1_000 }).toBe('completed');
      await expect.poll(() => again.getState(), { timeout: timeoutMs - 1_000 }).toBe('completed');
      expect((await dealers.context.queues.maintenance.getJob(again.id!))!.returnvalue).toEqual({
        skipped: 'POLL_RUNNING',
      });
      expect(await job.getState()).toBe('active');
      await expect.poll(() => job.getState(), { timeout: 3 * timeoutMs }).toBe('completed');
    } finally {
      await dealers.teardown();
    }
  });
});
