// Ringless voice in batches, through the real queue, workers, Redis and Postgres, Voice Partner
// faked over HTTP: one campaign request carries an account's due messages (up to 500 numbers),
// within the platform's request budget for all workers, each message recorded exactly once.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ALWAYS_OPEN, localDateOf, ROUTES, type PendingDispatch } from '@auto-prospect/core';
import { startFakeVoicePartner, type FakeVoicePartner } from '@auto-prospect/testkit';
import type { WorkerContext } from '../src/context.js';
import { dispatchMessages } from '../src/jobs/dispatch.js';
import { freePort } from './support/free-port.js';
import { credits, messageRow, seedAccount, seedTemplate, type SeededAccount } from './support/seed.js';
import { useSmsDealers } from './support/sms-dealers.js';

const VOICE_KEY = 'voice-platform-key-batches';
const AUDIO = 'audio-batch';
let voice: FakeVoicePartner;
beforeAll(async () => {
  voice = await startFakeVoicePartner();
  voice.keys.set(VOICE_KEY, 100_000);
  voice.audios.add(AUDIO);
});
afterAll(async () => {
  await voice.close();
});
const dealers = useSmsDealers({ VOICE_PARTNER_BASE_URL: '', VOICE_PARTNER_API_KEY: VOICE_KEY });
const world = async (overrides: Record<string, string> = {}) =>
  dealers.world({ VOICE_PARTNER_BASE_URL: voice.baseUrl, ...overrides });

/** A voice account with its template, and a hunt (voice, then SMS) to hand contacts over to. */
async function voiceAccount(context: WorkerContext, voiceCredits: number) {
  const account = await seedAccount(context, { voiceCredits, smsCredits: 100 });
  dealers.sms.keys.set(account.smsKey!, 'valid');
  const templateId = await seedTemplate(context.sql, account.id, 'ringless_voice', AUDIO);
  const smsTemplate = await seedTemplate(context.sql, account.id, 'sms');
  const [hunt] = await context.sql<{ id: string }[]>`
    insert into hunts (account_id, name, daily_pacing_limit, outreach_settings, template_ids)
    values (${account.id}, 'hunt', null, ${context.sql.json({ ringlessVoice: true, sms: true })},
            ${context.sql.json({ ringlessVoice: templateId, sms: smsTemplate })})
    returning id`;
  return { account, templateId, huntId: hunt!.id };
}

/** Due pending voice messages (credit reserved, as allocation leaves them), without their jobs. */
async function pendingVoice(
  context: WorkerContext,
  owner: { account: SeededAccount; templateId: string; huntId: string },
  phones: readonly string[],
): Promise<string[]> {
  const { sql } = context;
  const localDate = localDateOf(new Date(), context.env.OUTREACH_TIMEZONE);
  const rows = await sql<{ id: string }[]>`
    with ad as (
      insert into ads (original_ad_id, phone_number, has_phone, title)
      select 'voice-batch-' || gen_random_uuid(), phone, true, 'Clio 4'
      from unnest(${sql.array([...phones])}::text[]) phone
      returning id, phone_number
    )
    insert into messages (account_id, ad_id, hunt_id, template_id, channel, recipient_phone, local_date, credit_state)
    select ${owner.account.id}, id, ${owner.huntId}, ${owner.templateId}, 'ringless_voice', phone_number, ${localDate},
           'reserved'
    from ad returning id`;
  await sql`
    update credit_balances set ringless_voice_reserved = ringless_voice_reserved + ${rows.length}
    where account_id = ${owner.account.id}`;
  return rows.map((r) => r.id);
}

const dispatch = async (context: WorkerContext, ids: readonly string[]) =>
  dispatchMessages(
    context.queues,
    ALWAYS_OPEN,
    await context.sql<PendingDispatch[]>`
      select id, account_id as "accountId", channel, recipient_phone as "recipientPhone",
             null::timestamptz as "sendAt", 1 as priority
      from messages where id = any(${context.sql.array([...ids])}::uuid[])`,
  );

async function statuses(context: WorkerContext, ids: readonly string[]): Promise<Record<string, number>> {
  const rows = await context.sql<{ status: string; n: number }[]>`
    select status, count(*)::int as n from messages where id = any(${context.sql.array([...ids])}::uuid[])
    group by status`;
  return Object.fromEntries(rows.map((r) => [r.status, r.n]));
}

const phones = (prefix: string, count: number) =>
  Array.from({ length: count }, (_, i) => `+336${prefix}${String(i).padStart(7, '0')}`);
const campaignRequests = () => voice.requests.filter((r) => r.path === '/v1/campaign/send');

/** Runs `test` with the fake printing an invalid number's last 6 digits only, as its documented example does. */
async function withUnnamedRefusals(test: () => Promise<void>): Promise<void> {
  Object.assign(voice.modes, { requestsPerMinute: 100, windowMs: 60_000, invalidNumbersShown: 'last6' });
  try {
    await test();
  } finally {
    voice.modes.invalidNumbersShown = 'whole';
  }
}

describe('ringless voice in batches', () => {
  it(
    'sends 2,000 due contacts of 4 accounts in at most 8 requests, ' +
      'within 5 requests per window for two workers, each recorded once',
    { timeout: 120_000 },
    async () => {
      Object.assign(voice.modes, { requestsPerMinute: 5, windowMs: 2_000 });
      const before = {
        requests: campaignRequests().length,
        campaigns: voice.campaigns.length,
        rateLimited: voice.rateLimited,
      };
      const w = await world({ VOICE_REQUESTS_PER_MINUTE: '5', VOICE_RATE_WINDOW_SECONDS: '2', WORKER_ROLES: 'voice' });
      const owners = await Promise.all([1, 2, 3, 4].map(() => voiceAccount(w.context, 600)));
      const ids = (
        await Promise.all(owners.map((o, a) => pendingVoice(w.context, o, phones(String(a + 1), 500))))
      ).flat();
      await dispatch(w.context, ids);
      await w.context.start();
      await w.addProcess({}, { WORKER_ROLES: 'voice' }).start();

      await expect.poll(() => statuses(w.context, ids), { timeout: 90_000, interval: 500 }).toEqual({ sent: 2000 });
      const requests = campaignRequests().slice(before.requests);
      const campaigns = voice.campaigns.slice(before.campaigns);
      expect(requests.length).toBeLessThanOrEqual(8);
      expect(voice.rateLimited - before.rateLimited).toBe(0);
      // No two-second window (sliding) holds more than 5 requests.
      for (const r of requests)
        expect(
          requests.filter((o) => o.receivedAt <= r.receivedAt && o.receivedAt > r.receivedAt - 2_000).length,
        ).toBeLessThanOrEqual(5);
      // Every number in exactly one campaign, and every message carries that campaign's id.
      const numbers = campaigns.flatMap((c) => c.numbers);
      expect(numbers).toHaveLength(2000);
      expect(new Set(numbers).size).toBe(2000);
      const campaignOf = new Map(campaigns.flatMap((c) => c.numbers.map((n) => [n, c.campaignId] as const)));
      const rows = await w.context.sql<{ recipient_phone: string; external_id: string; credit_state: string }[]>`
      select recipient_phone, external_id, credit_state from messages
      where id = any(${w.context.sql.array(ids)}::uuid[])`;
      for (const row of rows)
        expect(row).toEqual({
          recipient_phone: row.recipient_phone,
          external_id: campaignOf.get(row.recipient_phone),
          credit_state: 'consumed',
        });
      const [usage] = await w.context.sql<{ n: number; messages: number }[]>`
      select count(*)::int as n, count(distinct message_id)::int as messages from credit_transactions
      where type = 'usage' and message_id = any(${w.context.sql.array(ids)}::uuid[])`;
      expect(usage).toEqual({ n: 2000, messages: 2000 });
      for (const o of owners)
        expect(await credits(w.context.sql, o.account.id)).toMatchObject({
          ringless_voice: 100,
          ringless_voice_reserved: 0,
        });
      const accountIds = owners.map((o) => o.account.id);
      const [leads] = await w.context.sql<{ n: number }[]>`
      select count(*)::int as n from leads
      where account_id = any(${w.context.sql.array(accountIds)}::uuid[]) and stage = 'contacted'`;
      expect(leads!.n).toBe(2000);
    },
  );

  it(
    "spaces requests a window / N apart across workers: the platform's next slot holds the whole queue",
    { timeout: 60_000 },
    async () => {
      // 2 requests per 2 s → one a second. The fake allows 4 per 2 s: five requests at once (no pace)
      // would meet a 429, while the late arrival of one paced request on a loaded machine would not.
      Object.assign(voice.modes, { requestsPerMinute: 4, windowMs: 2_000 });
      const before = { requests: campaignRequests().length, rateLimited: voice.rateLimited };
      const w = await world({ VOICE_REQUESTS_PER_MINUTE: '2', VOICE_RATE_WINDOW_SECONDS: '2', WORKER_ROLES: 'voice' });
      const ids: string[] = [];
      for (let a = 0; a < 5; a++)
        ids.push(
          ...(await pendingVoice(w.context, await voiceAccount(w.context, 5), phones('5', 10).slice(2 * a, 2 * a + 2))),
        );
      await dispatch(w.context, ids);
      await w.context.start();
      await w.addProcess({}, { WORKER_ROLES: 'voice' }).start();

      await expect.poll(() => statuses(w.context, ids), { timeout: 30_000 }).toEqual({ sent: 10 });
      const arrivals = campaignRequests()
        .slice(before.requests)
        .map((r) => r.receivedAt);
      expect(arrivals).toHaveLength(5);
      expect(voice.rateLimited - before.rateLimited).toBe(0);
      // Five slots a second apart span four seconds; load can delay an arrival, rarely by a second.
      expect(arrivals.at(-1)! - arrivals[0]!).toBeGreaterThanOrEqual(3_000);
    },
  );

  it(
    'fails the two numbers Voice Partner refuses by name, hands them to SMS, ' +
      'and sends the rest in a follow-up request without them',
    { timeout: 60_000 },
    async () => {
      Object.assign(voice.modes, { requestsPerMinute: 100, windowMs: 60_000 });
      const before = campaignRequests().length;
      const w = await world({ VOICE_REQUESTS_PER_MINUTE: '100' });
      const owner = await voiceAccount(w.context, 20);
      // Belgian mobiles: SMS reaches them; the fake Voice Partner, like a French-only account, refuses them.
      const invalid = ['+32470000001', '+32470000002'];
      const ids = await pendingVoice(w.context, owner, [...phones('9', 8), ...invalid]);
      await dispatch(w.context, ids);
      await w.context.start();

      await expect.poll(() => statuses(w.context, ids), { timeout: 30_000 }).toEqual({ sent: 8, failed: 2 });
      const requests = campaignRequests()
        .slice(before)
        .map((r) => (JSON.parse(r.body) as { phoneNumbers: string }).phoneNumbers.split(','));
      expect(requests).toHaveLength(2);
      expect(requests[0]).toEqual(expect.arrayContaining(invalid));
      expect(requests[0]).toHaveLength(10);
      expect(requests[1]!.sort()).toEqual(phones('9', 8).sort());
      const failed = await w.context.sql<
        { recipient_phone: string; error_code: string; credit_state: string; ad_id: string }[]
      >`
      select recipient_phone, error_code, credit_state, ad_id from messages
      where id = any(${w.context.sql.array(ids)}::uuid[]) and status = 'failed' order by 1`;
      expect(failed.map((f) => [f.recipient_phone, f.error_code, f.credit_state])).toEqual(
        invalid.map((p) => [p, 'VOICE_INVALID_NUMBER', 'released']),
      );
      // Handed over to the hunt's next channel, and sent there.
      const adIds = failed.map((f) => f.ad_id);
      await expect
        .poll(
          async () => w.context.sql`
      select status from messages
      where channel = 'sms' and ad_id = any(${w.context.sql.array(adIds)}::uuid[])`,
          { timeout: 20_000 },
        )
        .toEqual([{ status: 'sent' }, { status: 'sent' }]);
      expect(await credits(w.context.sql, owner.account.id)).toMatchObject({
        ringless_voice: 12,
        ringless_voice_reserved: 0,
      });
    },
  );

  it(
    'splits a batch refused for a number its answer does not name (only its last 6 digits) ' +
      'until that number stands alone, and sends every other',
    { timeout: 60_000 },
    async () => {
      await withUnnamedRefusals(async () => {
        const before = campaignRequests().length;
        const w = await world({ VOICE_REQUESTS_PER_MINUTE: '100' });
        const owner = await voiceAccount(w.context, 20);
        const invalid = '+32470000003';
        const ids = await pendingVoice(w.context, owner, [...phones('8', 8), invalid]);
        await dispatch(w.context, ids);
        await w.context.start();

        await expect.poll(() => statuses(w.context, ids), { timeout: 30_000 }).toEqual({ sent: 8, failed: 1 });
        expect(
          await w.context.sql`
          select error_code, credit_state from messages
          where recipient_phone = ${invalid} and channel = 'ringless_voice'`,
        ).toEqual([{ error_code: 'VOICE_INVALID_NUMBER', credit_state: 'released' }]);
        expect(new Set(voice.campaigns.flatMap((c) => c.numbers)).size).toBe(
          voice.campaigns.flatMap((c) => c.numbers).length,
        );
        // Nine numbers: the whole batch, then halves, down to the refused one alone.
        expect(campaignRequests().length - before).toBeLessThanOrEqual(9);
        expect(await credits(w.context.sql, owner.account.id)).toMatchObject({
          ringless_voice: 12,
          ringless_voice_reserved: 0,
        });
      });
    },
  );

  it(
    'gives a split batch back, none of it uncertain, when the process stops while it waits for a slot',
    { timeout: 60_000 },
    async () => {
      await withUnnamedRefusals(async () => {
        const before = campaignRequests().length;
        // One request every 20 s: after the first is refused, its halves wait in the job for the next slot.
        const w = await world({ VOICE_REQUESTS_PER_MINUTE: '3', VOICE_RATE_WINDOW_SECONDS: '60' });
        const observer = w.addProcess({}, { WORKER_ROLES: 'orchestration' });
        const owner = await voiceAccount(w.context, 20);
        const ids = await pendingVoice(w.context, owner, [...phones('7', 4), '+32470000004']);
        await dispatch(w.context, ids);
        await w.context.start();
        await expect.poll(() => campaignRequests().length - before, { timeout: 10_000 }).toBe(1);
        await expect.poll(() => statuses(observer, ids)).toEqual({ sending: 5 });

        await w.context.close();
        expect(await statuses(observer, ids)).toEqual({ pending: 5 });
        expect(campaignRequests().length - before).toBe(1);
      });
    },
  );

  it(
    'marks the whole batch uncertain when its request times out, and sends none of it again',
    { timeout: 60_000 },
    async () => {
      Object.assign(voice.modes, { requestsPerMinute: 100, windowMs: 60_000, hang: true });
      const before = campaignRequests().length;
      try {
        const w = await world({
          VOICE_REQUESTS_PER_MINUTE: '100',
          PROVIDER_TIMEOUT_MS: '500',
          SWEEP_PERIOD_SECONDS: '1',
        });
        const owner = await voiceAccount(w.context, 10);
        const ids = await pendingVoice(w.context, owner, phones('8', 5));
        await dispatch(w.context, ids);
        await w.context.start();

        await expect.poll(() => statuses(w.context, ids), { timeout: 20_000 }).toEqual({ uncertain: 5 });
        // Every job has ended and the sweeper has run a few times: still the one request.
        await expect
          .poll(async () => await w.context.queues.voice.getJobCounts('active', 'waiting', 'delayed', 'prioritized'), {
            timeout: 20_000,
          })
          .toEqual({ active: 0, waiting: 0, delayed: 0, prioritized: 0 });
        await new Promise((r) => setTimeout(r, 2_500));
        expect(campaignRequests().length - before).toBe(1);
        expect(await messageRow(w.context.sql, ids[0]!)).toMatchObject({
          status: 'uncertain',
          error_code: 'VOICE_NO_ANSWER',
          credit_state: 'reserved',
        });
        expect(await statuses(w.context, ids)).toEqual({ uncertain: 5 });
        expect(await credits(w.context.sql, owner.account.id)).toMatchObject({
          ringless_voice: 10,
          ringless_voice_reserved: 5,
        });
      } finally {
        voice.modes.hang = false;
      }
    },
  );

  it(
    "a batch whose run died is called uncertain by its leader's job, even when the leader has its outcome " +
      'and only the sweeper knows to run it',
    { timeout: 60_000 },
    async () => {
      const before = campaignRequests().length;
      const w = await world({ VOICE_REQUESTS_PER_MINUTE: '100', SWEEP_PERIOD_SECONDS: '1' });
      const owner = await voiceAccount(w.context, 10);
      const [leader, ...members] = await pendingVoice(w.context, owner, phones('6', 3));
      // As a run leaves it when its process dies during the follow-up request: the leader's own
      // number was refused (failed), the others were claimed by its job and are still `sending`.
      await w.context.sql`
      update messages set status = 'failed', error_code = 'VOICE_INVALID_NUMBER' where id = ${leader!}`;
      await w.context.sql`
      update messages set status = 'sending', voice_batch_leader = ${leader!}
      where id = any(${w.context.sql.array(members)}::uuid[])`;
      await dispatch(w.context, members);
      await w.context.start();

      await expect.poll(() => statuses(w.context, members), { timeout: 20_000 }).toEqual({ uncertain: 2 });
      expect(await messageRow(w.context.sql, members[0]!)).toMatchObject({
        error_code: 'INTERRUPTED_DURING_SEND',
        credit_state: 'reserved',
      });
      expect(campaignRequests().length).toBe(before);
    },
  );

  it(
    "records Voice Partner's notifyUrl callback (raw query) on the campaign's messages; a wrong token is 401",
    { timeout: 60_000 },
    async () => {
      Object.assign(voice.modes, { requestsPerMinute: 100, windowMs: 60_000 });
      const port = await freePort();
      const w = await world({
        VOICE_REQUESTS_PER_MINUTE: '100',
        PORT: String(port),
        PUBLIC_BASE_URL: `http://127.0.0.1:${port}`,
      });
      const owner = await voiceAccount(w.context, 10);
      const ids = await pendingVoice(w.context, owner, phones('7', 3));
      await dispatch(w.context, ids);
      await w.context.start();
      await expect.poll(() => statuses(w.context, ids), { timeout: 20_000 }).toEqual({ sent: 3 });
      const campaign = voice.campaigns.find((c) => c.numbers.includes(phones('7', 1)[0]!))!;
      expect(campaign.notifyUrl).toMatch(
        new RegExp(`^http://127\\.0\\.0\\.1:${port}/webhooks/voicepartner/[^/?]+\\?batch=[0-9a-f-]{36}$`),
      );

      const wrong = await w.context.app.inject({
        method: 'GET',
        url: `${ROUTES.voicePartnerNotify.replace(':token', 'not-the-token')}?campaignId=${campaign.campaignId}`,
      });
      expect(wrong.statusCode).toBe(401);
      expect(wrong.json()).toMatchObject({ error: 'INVALID_TOKEN' });
      const nul = await w.context.app.inject({
        method: 'GET',
        url: `${new URL(campaign.notifyUrl!).pathname}?status=%00`,
      });
      expect(nul.statusCode).toBe(400);
      expect(await w.context.sql`select 1 from messages where jsonb_array_length(provider_reports) > 0`).toHaveLength(
        0,
      );

      expect(await voice.notify(campaign, 'done')).toBe(200);
      const reports = await w.context.sql<{ provider_reports: { query: Record<string, string> }[] }[]>`
      select provider_reports from messages where id = any(${w.context.sql.array(ids)}::uuid[])`;
      expect(reports).toHaveLength(3);
      for (const r of reports) {
        expect(r.provider_reports).toHaveLength(1);
        expect(r.provider_reports[0]!.query).toEqual({
          batch: new URL(campaign.notifyUrl!).searchParams.get('batch'),
          campaignId: campaign.campaignId,
          status: 'done',
        });
      }
    },
  );
});
