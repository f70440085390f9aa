// A hunt fills its day: it uses the room its limit and credits give it from the ads its channels
// can reach, contacts each seller once a day (about the newest ad), and leaves the rest for later.
// Planning only (orchestration role): the plan is what is checked, nothing is sent.
import { describe, expect, it } from 'vitest';
import { JOB_IDS, JOBS, type Channel } from '@auto-prospect/core';
import type { WorkerContext } from '../src/context.js';
import { useStartedWorld } from './support/test-context.js';
import { seedAccount, seedTemplate, type SeededAccount } from './support/seed.js';

const world = useStartedWorld({ WORKER_ROLES: 'orchestration' });
/** The French canvassing window: no sending on weekends and public holidays. */
const workingDays = useStartedWorld({ WORKER_ROLES: 'orchestration', SENDING_WINDOWS: 'fr-canvassing' });

interface AdSpec {
  phone: string;
  /** Days after 2026-11-01: larger is newer. */
  day: number;
}

let adCounter = 0;

/** Ads of one hunt's own make (a brand no other test uses), so hunts of this file never overlap. */
async function seedAds(context: WorkerContext, brand: string, ads: AdSpec[]): Promise<Map<string, AdSpec>> {
  const byId = new Map<string, AdSpec>();
  for (const ad of ads) {
    const [row] = await context.sql<{ id: string }[]>`
      insert into ads (original_ad_id, type_id, brand_id, phone_number, has_phone, title, last_publication_date)
      values (${`alloc-${adCounter++}`}, (select id from ad_types where lobstr_value = 'Voiture'),
              (select id from brands where lobstr_value = ${brand}),
              ${ad.phone}, true, 'Clio', '2026-11-01'::date + ${ad.day}::int)
      returning id`;
    byId.set(row!.id, ad);
  }
  return byId;
}

async function seedHunt(
  context: WorkerContext,
  account: SeededAccount,
  brand: string,
  limit: number,
  channels: Channel[],
): Promise<string> {
  const templateIds: Record<string, string> = {};
  if (channels.includes('sms')) templateIds.sms = await seedTemplate(context.sql, account.id, 'sms');
  if (channels.includes('ringless_voice'))
    templateIds.ringlessVoice = await seedTemplate(context.sql, account.id, 'ringless_voice', 'audio-1');
  const settings = {
    sms: channels.includes('sms'),
    whatsapp: false,
    ringlessVoice: channels.includes('ringless_voice'),
  };
  const [hunt] = await context.sql<{ id: string }[]>`
    insert into hunts (account_id, name, type_id, daily_pacing_limit, outreach_settings, template_ids)
    values (${account.id}, 'hunt', (select id from ad_types where lobstr_value = 'Voiture'), ${limit},
            ${context.sql.json(settings)},
            ${context.sql.json(templateIds)})
    returning id`;
  await context.sql`
    insert into brands_hunts (hunt_id, brand_id) select ${hunt!.id}, id from brands where lobstr_value = ${brand}`;
  return hunt!.id;
}

let runs = 0;

/** Runs the hunt for a local day through the hunts queue (a new job each time) and returns its result. */
async function runHunt(context: WorkerContext, huntId: string, localDate: string) {
  const jobId = JOB_IDS.manualHunt(huntId, `${localDate}-${runs++}`);
  const job = await context.queues.processHunt.add(
    JOBS.processHunt,
    { huntId, localDate, dailyRunId: null },
    { jobId },
  );
  await expect.poll(() => job.getState(), { timeout: 15_000 }).toBe('completed');
  return (await context.queues.processHunt.getJob(job.id!))!.returnvalue as {
    contactsPlanned: number;
    skipped: Record<string, number>;
  };
}

async function messagesOf(context: WorkerContext, huntId: string) {
  return context.sql<{ adId: string; channel: Channel; localDate: string }[]>`
    select ad_id as "adId", channel, local_date::text as "localDate" from messages where hunt_id = ${huntId}
    order by local_date, scheduled_at, id`;
}

const mobile = (n: number) => `+3361${String(2000000 + n)}`;
const landline = (n: number) => `+3314${String(2000000 + n)}`;

describe('allocation fills the day', () => {
  it(
    'an SMS-only hunt whose newest matches are landlines ' + 'still contacts its limit from the reachable ones',
    async () => {
      const account = await seedAccount(world.context, { smsCredits: 100 });
      const ads = await seedAds(world.context, 'Renault', [
        ...Array.from({ length: 30 }, (_, i) => ({ phone: landline(i), day: 20 })),
        ...Array.from({ length: 20 }, (_, i) => ({ phone: mobile(i), day: i % 10 })),
      ]);
      const huntId = await seedHunt(world.context, account, 'Renault', 5, ['sms']);

      const result = await runHunt(world.context, huntId, '2026-11-30');
      expect(result.contactsPlanned).toBe(5);
      const planned = await messagesOf(world.context, huntId);
      expect(planned.map((m) => m.channel)).toEqual(Array.from({ length: 5 }, () => 'sms'));
      // The newest reachable ones: days 9 and 8 (two ads each), then one of day 7.
      expect(planned.map((m) => ads.get(m.adId)!.day).sort((a, b) => b - a)).toEqual([9, 9, 8, 8, 7]);
    },
  );

  it('voice takes what its credits allow, newest first, and SMS fills the rest of the limit from mobiles', async () => {
    const account = await seedAccount(world.context, { smsCredits: 100, voiceCredits: 3 });
    const ads = await seedAds(world.context, 'Peugeot', [
      ...Array.from({ length: 6 }, (_, i) => ({ phone: landline(100 + i), day: 20 + i })),
      ...Array.from({ length: 14 }, (_, i) => ({ phone: mobile(100 + i), day: i })),
    ]);
    const huntId = await seedHunt(world.context, account, 'Peugeot', 10, ['ringless_voice', 'sms']);

    const result = await runHunt(world.context, huntId, '2026-11-30');
    expect(result.contactsPlanned).toBe(10);
    const planned = await messagesOf(world.context, huntId);
    const onChannel = (channel: Channel) =>
      planned
        .filter((m) => m.channel === channel)
        .map((m) => ads.get(m.adId)!.day)
        .sort((a, b) => b - a);
    expect(onChannel('ringless_voice')).toEqual([25, 24, 23]);
    expect(onChannel('sms')).toEqual([13, 12, 11, 10, 9, 8, 7]);
    expect(result.skipped['INSUFFICIENT_CREDITS:ringless_voice']).toBe(3);
    const [credits] = await world.context.sql`
      select sms_reserved, ringless_voice_reserved from credit_balances where account_id = ${account.id}`;
    expect(credits).toEqual({ sms_reserved: 7, ringless_voice_reserved: 3 });
  });

  it('contacts a seller with three ads once a day, about the newest; the others wait for later days', async () => {
    const account = await seedAccount(world.context, { smsCredits: 100 });
    const seller = mobile(500);
    const ads = await seedAds(world.context, 'Toyota', [
      { phone: seller, day: 10 },
      { phone: seller, day: 12 },
      { phone: seller, day: 5 },
      ...Array.from({ length: 4 }, (_, i) => ({ phone: mobile(501 + i), day: i })),
    ]);
    const huntId = await seedHunt(world.context, account, 'Toyota', 10, ['sms']);

    const first = await runHunt(world.context, huntId, '2026-11-30');
    expect(first.contactsPlanned).toBe(5);
    expect(first.skipped.SELLER_CONTACTED_TODAY).toBe(2);
    const sellerAds = async () =>
      (await messagesOf(world.context, huntId))
        .filter((m) => ads.get(m.adId)!.phone === seller)
        .map((m) => ({ day: ads.get(m.adId)!.day, localDate: m.localDate }));
    expect(await sellerAds()).toEqual([{ day: 12, localDate: '2026-11-30' }]);

    // The same day again adds nothing; while the first message waits to go out, neither does the next day.
    expect((await runHunt(world.context, huntId, '2026-11-30')).contactsPlanned).toBe(0);
    expect((await runHunt(world.context, huntId, '2026-12-01')).contactsPlanned).toBe(0);
    await world.context.sql`update messages set status = 'sent', sent_at = now() where hunt_id = ${huntId}`;
    expect((await runHunt(world.context, huntId, '2026-12-02')).contactsPlanned).toBe(1);
    expect(await sellerAds()).toEqual([
      { day: 12, localDate: '2026-11-30' },
      { day: 10, localDate: '2026-12-02' },
    ]);
  });

  it(
    'reaches a foreign mobile written without the flag (libphonenumber decides, once), ' + 'never a foreign landline',
    async () => {
      const account = await seedAccount(world.context, { smsCredits: 100 });
      const ads = await seedAds(world.context, 'BMW', [
        { phone: '+32470123456', day: 1 },
        { phone: '+3222345678', day: 2 },
      ]);
      const huntId = await seedHunt(world.context, account, 'BMW', 5, ['sms']);
      const result = await runHunt(world.context, huntId, '2026-11-30');
      expect(result.contactsPlanned).toBe(1);
      expect((await messagesOf(world.context, huntId)).map((m) => ads.get(m.adId)!.phone)).toEqual(['+32470123456']);
      // Classified once for good: later selections leave the landline out in SQL, as a French one.
      expect(
        await world.context.sql`
        select phone_number as phone, phone_is_mobile as mobile from ads where id = any(${[...ads.keys()]}) order by 1`,
      ).toEqual([
        { phone: '+3222345678', mobile: false },
        { phone: '+32470123456', mobile: true },
      ]);
    },
  );
});

describe('a limit changed during the day', () => {
  it('applies at once: a raised limit plans the difference, a lowered one plans nothing more', async () => {
    const account = await seedAccount(world.context, { smsCredits: 100 });
    await seedAds(
      world.context,
      'Dacia',
      Array.from({ length: 8 }, (_, i) => ({ phone: mobile(900 + i), day: i })),
    );
    const huntId = await seedHunt(world.context, account, 'Dacia', 2, ['sms']);
    const setLimit = (limit: number) =>
      world.context.sql`update hunts set daily_pacing_limit = ${limit} where id = ${huntId}`;

    expect((await runHunt(world.context, huntId, '2026-12-01')).contactsPlanned).toBe(2);
    await setLimit(5);
    expect((await runHunt(world.context, huntId, '2026-12-01')).contactsPlanned).toBe(3);
    await setLimit(1);
    expect((await runHunt(world.context, huntId, '2026-12-01')).contactsPlanned).toBe(0);
    expect(await messagesOf(world.context, huntId)).toHaveLength(5);
  });
});

describe('a hunt that cannot plan', () => {
  it('fails as misconfigured, writing nothing, when its only template is blank', async () => {
    const account = await seedAccount(world.context, { smsCredits: 100 });
    await seedAds(world.context, 'Citroen', [{ phone: mobile(800), day: 1 }]);
    const huntId = await seedHunt(world.context, account, 'Citroen', 5, ['sms']);
    await world.context.sql`update message_templates set content = '  ' where account_id = ${account.id}`;

    const job = await world.context.queues.processHunt.add(
      JOBS.processHunt,
      { huntId, localDate: '2026-11-30', dailyRunId: null },
      { jobId: JOB_IDS.manualHunt(huntId, 'blank-template') },
    );
    await expect.poll(() => job.getState(), { timeout: 15_000 }).toBe('failed');
    expect((await world.context.queues.processHunt.getJob(job.id!))!.failedReason).toMatch(
      /^HUNT_MISCONFIGURED: .*sms TEMPLATE_EMPTY/,
    );
    expect(await messagesOf(world.context, huntId)).toEqual([]);
  });
});

describe('a day without sending', () => {
  it('counts a run on a public holiday or a weekend against the next working day’s limit', async () => {
    const { context } = workingDays;
    const account = await seedAccount(context, { smsCredits: 100 });
    await seedAds(
      context,
      'Renault',
      Array.from({ length: 9 }, (_, i) => ({ phone: mobile(700 + i), day: i })),
    );
    const huntId = await seedHunt(context, account, 'Renault', 3, ['sms']);

    // Ascension Thursday 2027, the Friday after it, then the Saturday (its contacts go on Monday).
    expect((await runHunt(context, huntId, '2027-05-06')).contactsPlanned).toBe(3);
    expect((await runHunt(context, huntId, '2027-05-07')).contactsPlanned).toBe(0);
    expect((await runHunt(context, huntId, '2027-05-08')).contactsPlanned).toBe(3);
    expect((await messagesOf(context, huntId)).map((m) => m.localDate)).toEqual([
      ...Array.from({ length: 3 }, () => '2027-05-07'),
      ...Array.from({ length: 3 }, () => '2027-05-10'),
    ]);
  });
});
