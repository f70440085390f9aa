// One contact per seller (domain.md, a Decision): an account holds at most one live contact per
// ad (any message not `failed`), whatever the hunt, channel, day or process, and contacts a phone
// number at most once per local day, even about different ads. Checked under real concurrency:
// one account, six overlapping hunts over the same ads (half voice-first, half SMS-only, so two
// hunts would pick different channels for the same ad), sellers with several ads, and three
// worker OS processes running the day together.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROUTES } from '@auto-prospect/core';
import {
  startFakeSmsMobileApi,
  startFakeVoicePartner,
  testEnv,
  type FakeSmsMobileApi,
  type FakeVoicePartner,
} from '@auto-prospect/testkit';
import { createTestWorld, type TestWorld } from './support/test-context.js';
import { seedAccount, seedTemplate } from './support/seed.js';
import { startWorkerProcess, type WorkerProcess } from './support/worker-process.js';

const VOICE_KEY = 'voice-platform-key-doubles';
const VOICE_AUDIO = 'audio-doubles';
const ADS = 200;
const HUNTS = 6;
const DAILY_LIMIT = 40;
const PROCESSES = 3;
const RUN_DEADLINE_MS = 60_000;

const auth = { authorization: `Bearer ${testEnv().API_SECRET!}` };

let sms: FakeSmsMobileApi | undefined;
let voice: FakeVoicePartner | undefined;
let world: TestWorld | undefined;
const workers: WorkerProcess[] = [];

/**
 * The seller behind the ad of recency rank r (0 = newest; each rank is published a day before the
 * previous one). 10 sellers have two ads among the 80 newest (ranks 8k and 8k + 3), and 6 of them a
 * third just below (80 + 2k); every other ad has a seller of its own. So the hunts' first
 * candidates hold several ads of one seller, yet still 35 different numbers among the 40 newest
 * ads and 70 among the 80 newest (see the floor of check 4).
 */
const SELLER_OF_RANK = new Map<number, number>();
for (let k = 0; k < 10; k++) {
  SELLER_OF_RANK.set(8 * k, k);
  SELLER_OF_RANK.set(8 * k + 3, k);
  if (k < 6) SELLER_OF_RANK.set(80 + 2 * k, k);
}
const sellerOf = (r: number) => SELLER_OF_RANK.get(r) ?? 100 + r;
const phoneOf = (seller: number) => `+3361${String(1_000_000 + seller)}`;

const db = () => world!.context.sql;

/**
 * How many rows break a rule, how many of them have 2, 3, … live messages, and the first few
 * (a failure shows all three, not hundreds of rows).
 */
function offenders<T>(rows: T[], times: (row: T) => number) {
  const histogram: Record<string, number> = {};
  for (const row of rows) histogram[`${times(row)}x`] = (histogram[`${times(row)}x`] ?? 0) + 1;
  return { count: rows.length, histogram, first: rows.slice(0, 5) };
}
const NONE = { count: 0, histogram: {}, first: [] };

async function seed(): Promise<void> {
  const sql = db();
  const account = await seedAccount(world!.context, { smsCredits: 10_000, voiceCredits: 10_000 });
  sms!.keys.set(account.smsKey!, 'valid');
  const voiceTemplate = await seedTemplate(sql, account.id, 'ringless_voice', VOICE_AUDIO);
  const smsTemplate = await seedTemplate(sql, account.id, 'sms');

  const [ref] = await sql<{ typeId: string; locationId: string }[]>`
    select (select id from ad_types where lobstr_value = 'Voiture') as "typeId",
           (select id from locations where zipcode = '75015' limit 1) as "locationId"`;
  const ads = Array.from({ length: ADS }, (_, r) => ({
    original_ad_id: `doubles-${r}`,
    type_id: ref!.typeId,
    location_id: ref!.locationId,
    phone_number: phoneOf(sellerOf(r)),
    has_phone: true,
    accept_salesmen: true,
    title: `Clio ${r}`,
    price: 5000 + r * 10,
    last_publication_date: new Date(Date.UTC(2026, 10, 28) - r * 86_400_000).toISOString().slice(0, 10),
    created_at: new Date(Date.now() - r * 1000),
  }));
  await sql`insert into ads ${sql(ads)}`;

  for (let h = 0; h < HUNTS; h++) {
    // Even hunts: voice first (priority 1), SMS as fallback; odd hunts: SMS only.
    const voiceFirst = h % 2 === 0;
    await sql`
      insert into hunts (account_id, status, name, type_id, location_id, radius_in_km, daily_pacing_limit,
                         outreach_settings, template_ids)
      values (${account.id}, 'active', ${`overlapping hunt ${h}`}, ${ref!.typeId}, ${ref!.locationId}, 50,
              ${DAILY_LIMIT},
              ${sql.json({ ringlessVoice: voiceFirst, sms: true, whatsapp: false })},
              ${sql.json({ ringlessVoice: voiceTemplate, sms: smsTemplate })})`;
  }
}

async function runState(): Promise<{ run: string | null; active: number; byStatus: Record<string, number> }> {
  const [run] = await db()<{ status: string }[]>`select status from daily_runs`;
  const rows = await db()<
    { status: string; n: number }[]
  >`select status, count(*)::int as n from messages group by status`;
  const byStatus = Object.fromEntries(rows.map((r) => [r.status, r.n]));
  return { run: run?.status ?? null, active: (byStatus.pending ?? 0) + (byStatus.sending ?? 0), byStatus };
}

/**
 * Polls until the run is completed and nothing is pending or sending; fails with the state and the
 * workers' last lines.
 */
async function waitForTheDay(): Promise<void> {
  const deadline = Date.now() + RUN_DEADLINE_MS;
  let state = await runState();
  while (!(state.run === 'completed' && state.active === 0)) {
    const dead = workers.find((w) => w.child.exitCode !== null || w.child.signalCode !== null);
    if (dead) throw new Error(`a worker process exited during the run:\n${dead.output().slice(-4000)}`);
    if (Date.now() > deadline) {
      throw new Error(
        `the day did not finish within ${RUN_DEADLINE_MS} ms: ${JSON.stringify(state)}\n` +
          workers.map((w, i) => `--- worker ${i} ---\n${w.output().split('\n').slice(-15).join('\n')}`).join('\n'),
      );
    }
    await new Promise((r) => setTimeout(r, 200));
    state = await runState();
  }
}

async function stopWorker(worker: WorkerProcess): Promise<void> {
  if (worker.child.exitCode !== null || worker.child.signalCode !== null) return;
  const exited = worker.exited();
  worker.child.kill('SIGTERM');
  const killed = setTimeout(() => worker.child.kill('SIGKILL'), 20_000);
  try {
    await exited;
  } finally {
    clearTimeout(killed);
  }
}

beforeAll(async () => {
  sms = await startFakeSmsMobileApi();
  voice = await startFakeVoicePartner();
  voice.keys.set(VOICE_KEY, 100_000);
  voice.audios.add(VOICE_AUDIO);
  voice.modes.requestsPerMinute = 100_000;
  const overrides = {
    SMSMOBILEAPI_BASE_URL: sms.url,
    VOICE_PARTNER_BASE_URL: voice.baseUrl,
    VOICE_PARTNER_API_KEY: VOICE_KEY,
    VOICE_REQUESTS_PER_MINUTE: '10000',
    SMS_MIN_GAP_SECONDS: '0',
    HUNT_CONCURRENCY: '8',
    SENDING_WINDOWS: 'always',
  };
  // The in-process context is never started: it only seeds and reads. The day runs in the workers.
  world = await createTestWorld(overrides);
  await seed();
  // LOG_LEVEL info: startWorkerProcess learns each process's URL from the "Server listening" line.
  const env = testEnv({
    DATABASE_URL: world.db.url,
    QUEUE_PREFIX: world.queuePrefix.prefix,
    LOG_LEVEL: 'info',
    ...overrides,
  });
  for (let i = 0; i < PROCESSES; i++) workers.push(startWorkerProcess(env));
  await Promise.all(workers.map((w) => w.url));
});

afterAll(async () => {
  await Promise.allSettled(workers.map(stopWorker));
  await world?.teardown();
  await sms?.close();
  await voice?.close();
});

describe('one contact per seller', () => {
  it(
    'holds per ad and per phone and local day with overlapping hunts of one account in three worker processes',
    { timeout: 90_000 },
    async () => {
      const started = await fetch(`${await workers[0]!.url}${ROUTES.dailyRuns}`, { method: 'POST', headers: auth });
      expect(started.status).toBe(202);
      await waitForTheDay();
      const sql = db();

      // (1) At most one live message per (account, ad).
      const adDoubles = await sql<{ ad: string; live: number; messages: string[] }[]>`
      select a.original_ad_id as ad, count(*)::int as live,
             array_agg(m.channel::text || ':' || m.status::text || ' by ' || coalesce(h.name, '-')
                       order by m.created_at) as messages
      from messages m join ads a on a.id = m.ad_id left join hunts h on h.id = m.hunt_id
      where m.status <> 'failed'
      group by m.account_id, a.original_ad_id having count(*) > 1
      order by a.original_ad_id`;
      expect
        .soft(
          offenders(adDoubles, (r) => r.live),
          'ads with more than one live message of the account',
        )
        .toEqual(NONE);

      // (2) At most one live message per (account, phone, local day), whatever the ad.
      const phoneDoubles = await sql<{ phone: string; day: string; live: number; ads: number; messages: string[] }[]>`
      select m.recipient_phone as phone,
             coalesce(m.local_date, (m.created_at at time zone 'Europe/Paris')::date)::text as day,
             count(*)::int as live, count(distinct m.ad_id)::int as ads,
             array_agg(a.original_ad_id || ' ' || m.channel::text || ':' || m.status::text
                       order by m.created_at) as messages
      from messages m join ads a on a.id = m.ad_id
      where m.status <> 'failed'
      group by m.account_id, m.recipient_phone, 2 having count(*) > 1
      order by m.recipient_phone`;
      expect
        .soft(
          offenders(phoneDoubles, (r) => r.live),
          'phone numbers with more than one live message on one local day',
        )
        .toEqual(NONE);

      // (3) The providers were asked at most once per phone number, over both channels.
      const calls = new Map<string, string[]>();
      for (const s of sms!.sent) calls.set(s.recipients, [...(calls.get(s.recipients) ?? []), 'sms']);
      for (const n of voice!.campaigns.flatMap((c) => c.numbers))
        calls.set(n, [...(calls.get(n) ?? []), 'ringless_voice']);
      const calledTwice = [...calls]
        .filter(([, channels]) => channels.length > 1)
        .map(([phone, channels]) => ({ phone, channels }));
      expect
        .soft(
          offenders(calledTwice, (r) => r.channels.length),
          `phone numbers reached more than once by the providers` +
            ` (${sms!.sent.length} SMS, ${voice!.campaigns.length} voice campaigns in all)`,
        )
        .toEqual(NONE);

      // (4) The day really contacted people (else the checks above hold trivially). The floor is what
      // any correct allocation reaches even if all six hunts pick their candidates at the same instant
      // and take only as many as their limit: the 35 different numbers among the 40 newest ads. Not
      // per channel: which hunts (voice-first or SMS-only) win the race is up to the scheduler.
      const sent = await sql<{ channel: string; n: number }[]>`
      select channel::text, count(*)::int as n from messages where status = 'sent' group by channel order by channel`;
      const sentOn = Object.fromEntries(sent.map((s) => [s.channel, s.n]));
      expect
        .soft((sentOn.sms ?? 0) + (sentOn.ringless_voice ?? 0), `sent messages: ${JSON.stringify(sentOn)}`)
        .toBeGreaterThan(30);

      // (5) And filled its day: the six limits together (240) exceed the sellers, so with each hunt
      // planning from what the others already took, every seller is contacted exactly once.
      const [sellers] = await sql<{ n: number }[]>`select count(distinct phone_number)::int as n from ads`;
      const [contacted] = await sql<
        { n: number }[]
      >`select count(distinct recipient_phone)::int as n from messages where status <> 'failed'`;
      expect.soft(contacted!.n, 'sellers contacted').toBe(sellers!.n);
    },
  );
});
