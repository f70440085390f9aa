// The product end to end: a seeded tenant, one daily run through the real HTTP API, queues and
// workers, providers faked over HTTP (and a fake Baileys socket), checked against an oracle.
// Run on one Redis server (daily-run.test.ts) and on a Redis Cluster (redis-cluster.test.ts).
import { spawnSync } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { formatPrice, JOBS, ROUTES, type Channel } from '@auto-prospect/core';
import {
  createFakeWhatsApp,
  startFakeSmsMobileApi,
  startFakeVoicePartner,
  testEnv,
  type FakeSmsMobileApi,
  type FakeVoicePartner,
} from '@auto-prospect/testkit';
import { createTestWorld, type TestWorld } from './test-context.js';
import { expectedContacts, fixtureAds, seedTenant, type SeededTenant } from './tenant.js';

/** Debian's prometheus package brings promtool; without it the exposition check is skipped. */
const promtool = ['/usr/bin/promtool', '/usr/local/bin/promtool'].find(
  (path) => spawnSync(path, ['--version']).status === 0,
);
if (!promtool)
  console.warn('promtool is not installed (apt-get install prometheus): the /metrics exposition check is skipped');

/** `redisOverrides` is read when the suite starts: the Redis to run against (default: the test server). */
export function dailyRunSuite(redisOverrides: () => Record<string, string> = () => ({})): void {
  const VOICE_KEY = 'voice-platform-key';
  const ads = fixtureAds(500);
  const wa = createFakeWhatsApp();
  let sms: FakeSmsMobileApi;
  let voice: FakeVoicePartner;
  let world: TestWorld;
  let tenant: SeededTenant;
  let runId: string;

  const auth = { authorization: `Bearer ${testEnv().API_SECRET!}` };

  async function activeMessages(): Promise<number> {
    const [row] = await world.context.sql<
      { n: number }[]
    >`select count(*)::int as n from messages where status in ('pending', 'sending')`;
    return row!.n;
  }

  async function messagesByContact() {
    const rows = await world.context.sql<{ hunt_id: string; ad_id: string; channel: Channel; status: string }[]>`
      select hunt_id, ad_id, channel, status from messages order by created_at, id`;
    const byContact = new Map<string, { channel: Channel; status: string }[]>();
    const huntNumber = new Map([...tenant.huntIds].map(([n, id]) => [id, n]));
    for (const r of rows) {
      const key = `${huntNumber.get(r.hunt_id)}:${tenant.adIds.get(r.ad_id)}`;
      byContact.set(key, [...(byContact.get(key) ?? []), { channel: r.channel, status: r.status }]);
    }
    return byContact;
  }

  beforeAll(async () => {
    sms = await startFakeSmsMobileApi();
    voice = await startFakeVoicePartner();
    voice.keys.set(VOICE_KEY, 10_000);
    voice.audios.add('audio-e2e');
    voice.modes.requestsPerMinute = 10_000;
    world = await createTestWorld(
      {
        ...redisOverrides(),
        SMSMOBILEAPI_BASE_URL: sms.url,
        VOICE_PARTNER_BASE_URL: voice.baseUrl,
        VOICE_PARTNER_API_KEY: VOICE_KEY,
        VOICE_REQUESTS_PER_MINUTE: '10000',
        WHATSAPP_DAILY_CAP: '1000',
        SMS_MIN_GAP_SECONDS: '0',
        WHATSAPP_MIN_GAP_SECONDS: '0',
      },
      { whatsappSocketFactory: wa.factory, whatsappIdleMs: 2_000 },
    );
    tenant = await seedTenant(world.context, ads);
    for (const account of Object.values(tenant.accounts)) if (account.smsKey) sms.keys.set(account.smsKey, 'valid');
    for (const ad of ads) if (ad.onWhatsApp) wa.onWhatsApp.add(ad.phone!.slice(1));
    await world.context.start();
  });

  afterAll(async () => {
    await world.teardown();
    await sms.close();
    await voice.close();
  });

  describe('a daily run', () => {
    it('contacts exactly the expected ads, per hunt and channel, and reports its progress', async () => {
      const started = await world.context.app.inject({ method: 'POST', url: ROUTES.dailyRuns, headers: auth });
      expect(started.statusCode).toBe(202);
      runId = started.json<{ runId: string }>().runId;

      const report = () =>
        world.context.app
          .inject({ method: 'GET', url: ROUTES.dailyRun.replace(':runId', runId), headers: auth })
          .then((r) =>
            r.json<{
              status: string;
              hunts: object;
              contacts: Record<
                string,
                { sent: number; failed: number; delivered: number; read: number; replied: number }
              >;
            }>(),
          );
      await expect.poll(async () => (await report()).status, { timeout: 30_000 }).toBe('completed');
      await expect.poll(activeMessages, { timeout: 30_000 }).toBe(0);
      // Every WhatsApp message gets its delivery receipt from the fake.
      await expect
        .poll(
          async () =>
            (await world.context.sql`select 1 from messages where channel = 'whatsapp_text' and status = 'sent'`)
              .length,
        )
        .toBe(0);

      const expected = expectedContacts(ads);
      expect(expected.length).toBeGreaterThan(40);
      const actual = await messagesByContact();
      const expectedByContact = new Map(
        expected.map((e) => [
          `${e.hunt}:${e.ad}`,
          e.channels.map((channel, i) => ({
            channel,
            status:
              i < e.channels.length - 1 || !e.sent ? 'failed' : channel === 'whatsapp_text' ? 'delivered' : 'sent',
          })),
        ]),
      );
      expect(Object.fromEntries(actual)).toEqual(Object.fromEntries(expectedByContact));

      const sentOn = (channel: Channel) => expected.filter((e) => e.sent && e.channels.at(-1) === channel).length;
      expect(sms.sent).toHaveLength(sentOn('sms'));
      expect(voice.campaigns.flatMap((c) => c.numbers)).toHaveLength(sentOn('ringless_voice'));
      expect(wa.sent).toHaveLength(sentOn('whatsapp_text'));
      const final = await report();
      expect(final.hunts).toEqual({ total: 9, done: 8, failed: 1 });
      expect(final.contacts.sms!.sent).toBe(sentOn('sms'));
      expect(final.contacts.whatsapp_text).toMatchObject({
        sent: sentOn('whatsapp_text'),
        delivered: sentOn('whatsapp_text'),
        read: 0,
        replied: 0,
      });

      const [failedHunt] = await world.context.sql`
        select error_code from daily_run_hunts where hunt_id = ${tenant.huntIds.get(10)!}`;
      expect(failedHunt).toEqual({ error_code: 'HUNT_MISCONFIGURED' });
      const one = expected.find((e) => e.channels.at(-1) === 'sms' && e.sent)!;
      const ad = ads[one.ad]!;
      expect(sms.sent.find((s) => s.recipients === ad.phone)!.message).toBe(
        `Bonjour , votre Annonce ${ad.i} à ${formatPrice(ad.price)}`,
      );
    });

    it('exposes non-zero metrics for jobs, queues, contacts, credits and the run, behind the token', async () => {
      expect((await world.context.app.inject({ method: 'GET', url: ROUTES.metrics })).statusCode).toBe(401);
      const metrics = (await world.context.app.inject({ method: 'GET', url: ROUTES.metrics, headers: auth })).body;
      const value = (pattern: RegExp) => Number(pattern.exec(metrics)?.[1] ?? 0);
      expect(
        value(/auto_prospect_job_duration_seconds_count\{queue="channel-sms",name="send-message"\} (\d+)/),
      ).toBeGreaterThan(0);
      expect(value(/auto_prospect_jobs_total\{queue="process-hunt",status="completed",error_code=""\} (\d+)/)).toBe(8);
      expect(
        value(/auto_prospect_jobs_total\{queue="process-hunt",status="failed",error_code="HUNT_MISCONFIGURED"\} (\d+)/),
      ).toBe(1);
      expect(value(/bullmq_jobs\{queue="channel-sms", state="completed"\} (\d+)/)).toBeGreaterThan(0);
      expect(value(/auto_prospect_contacts\{channel="whatsapp_text",status="failed"\} (\d+)/)).toBeGreaterThan(0);
      expect(value(/auto_prospect_credits_consumed\{channel="ringless_voice"\} (\d+)/)).toBeGreaterThan(0);
      expect(
        value(/auto_prospect_contacts_feedback\{channel="whatsapp_text",feedback="delivered"\} (\d+)/),
      ).toBeGreaterThan(0);
      expect(value(/auto_prospect_daily_run_duration_seconds ([\d.]+)/)).toBeGreaterThan(0);
      expect(
        value(/auto_prospect_provider_call_seconds_count\{provider="smsmobileapi",outcome="accepted"\} (\d+)/),
      ).toBeGreaterThan(0);
      expect(
        value(
          /auto_prospect_provider_call_seconds_count\{provider="whatsapp",outcome="WHATSAPP_NOT_ON_WHATSAPP"\} (\d+)/,
        ),
      ).toBeGreaterThan(0);
      expect(metrics).toMatch(/auto_prospect_daily_run_unfinished_seconds 0\n/);
      expect(metrics).toMatch(/auto_prospect_messages_uncertain 0\n/);
      expect(metrics).toMatch(/auto_prospect_job_scheduler_present\{scheduler="daily-run-scheduler"\} 1\n/);
    });

    it.skipIf(!promtool)('passes promtool check metrics', async () => {
      const metrics = (await world.context.app.inject({ method: 'GET', url: ROUTES.metrics, headers: auth })).body;
      const check = spawnSync(promtool!, ['check', 'metrics'], { input: metrics, encoding: 'utf8' });
      expect(`${check.stdout}${check.stderr}`.trim()).toBe('');
      expect(check.status).toBe(0);
    });

    it('adds nothing when the day is triggered again or a hunt job runs twice', async () => {
      const [before] = await world.context.sql<{ n: number }[]>`select count(*)::int as n from messages`;
      const planned = () => world.context.sql`select hunt_id, contacts_planned from daily_run_hunts order by hunt_id`;
      const plannedBefore = await planned();
      const again = await world.context.app.inject({ method: 'POST', url: ROUTES.dailyRuns, headers: auth });
      expect(again.json<{ runId: string }>().runId).toBe(runId);
      const huntId = tenant.huntIds.get(1)!;
      const [localDate] = await world.context.sql<
        { d: string }[]
      >`select local_date::text as d from daily_runs where id = ${runId}`;
      const job = await world.context.queues.processHunt.add(
        JOBS.processHunt,
        { huntId, localDate: localDate!.d, dailyRunId: runId },
        { jobId: `rerun-${huntId}` },
      );
      await expect.poll(() => job.getState(), { timeout: 10_000 }).toBe('completed');
      const manual = await world.context.app.inject({
        method: 'POST',
        url: ROUTES.huntRun.replace(':huntId', tenant.huntIds.get(2)!),
        headers: auth,
      });
      expect(manual.statusCode).toBe(202);
      await new Promise((r) => setTimeout(r, 500));
      await expect.poll(activeMessages).toBe(0);
      const [after] = await world.context.sql<{ n: number }[]>`select count(*)::int as n from messages`;
      expect(after!.n).toBe(before!.n);
      expect(await planned()).toEqual(plannedBefore);
    });
  });
}
