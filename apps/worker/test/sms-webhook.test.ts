// SMSMobileAPI Webhook V2 through the real HTTP server, queues, Redis and Postgres: the fake
// provider pushes signed events (and redelivers them) to the worker's URL for the account.
import { randomBytes } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  ALWAYS_OPEN,
  createLogger,
  createMessage,
  encryptSecret,
  JOBS,
  localDateOf,
  ROUTES,
  SMS_FAILED_ON_PHONE,
} from '@auto-prospect/core';
import {
  postWebhookV2,
  sendJson,
  signWebhookV2,
  startFakeServer,
  startFakeSmsMobileApi,
  startFakeVoicePartner,
  webhookV2Event,
  testEnv,
  type FakeServer,
  type FakeSmsMobileApi,
  type FakeVoicePartner,
} from '@auto-prospect/testkit';
import { dispatchMessage } from '../src/jobs/dispatch.js';
import { createTestWorld, type TestWorld } from './support/test-context.js';
import { credits, seedAccount, seedAd, seedTemplate, settled, type SeededAccount } from './support/seed.js';

const VOICE_KEY = 'voice-platform-key';
let sms: FakeSmsMobileApi;
let voice: FakeVoicePartner;
let sentry: FakeServer;
let world: TestWorld;
const logLines: string[] = [];
/** Webhook secrets handed out in this file: none may leak. */
const secrets: string[] = [];

beforeAll(async () => {
  sms = await startFakeSmsMobileApi();
  voice = await startFakeVoicePartner();
  voice.keys.set(VOICE_KEY, 100);
  voice.audios.add('audio-1');
  voice.modes.requestsPerMinute = 100;
  sentry = await startFakeServer((_req, res) => sendJson(res, 200, { id: 'ok' }));
  const sink = new Writable({
    write: (chunk: Buffer, _encoding, done) => {
      logLines.push(...chunk.toString().split('\n').filter(Boolean));
      done();
    },
  });
  world = await createTestWorld(
    {
      SMSMOBILEAPI_BASE_URL: sms.url,
      SMS_MIN_GAP_SECONDS: '0',
      VOICE_PARTNER_BASE_URL: voice.baseUrl,
      VOICE_PARTNER_API_KEY: VOICE_KEY,
      SENTRY_DSN: `http://publickey@127.0.0.1:${new URL(sentry.url).port}/1`,
    },
    { logger: createLogger('debug', sink) },
  );
  await world.context.start();
});

afterAll(async () => {
  await world.teardown();
  await Promise.all([sms.close(), voice.close(), sentry.close()]);
});

const webhookUrl = (accountId: string) => {
  const { port } = world.context.app.server.address() as AddressInfo;
  return `http://127.0.0.1:${port}${ROUTES.smsMobileApiWebhook.replace(':accountId', accountId)}`;
};

/**
 * An account with a valid key and a Webhook V2 endpoint: its secret stored encrypted, and set in the
 * provider's dashboard.
 */
async function webhookAccount(options: { storeSecret?: boolean } = {}): Promise<SeededAccount & { secret: string }> {
  const account = await seedAccount(world.context, { smsCredits: 10, voiceCredits: 10 });
  sms.keys.set(account.smsKey!, 'valid');
  const secret = `whsec_${randomBytes(16).toString('hex')}`;
  secrets.push(secret);
  if (options.storeSecret !== false) await storeSecret(account.id, secret);
  sms.webhooks.set(account.smsKey!, { url: webhookUrl(account.id), secret });
  return { ...account, secret };
}

async function storeSecret(accountId: string, secret: string): Promise<void> {
  const encrypted = encryptSecret(secret, world.context.env.SMS_API_KEY_ENCRYPTION_KEY);
  await world.context.sql`update accounts set sms_webhook_secret = ${encrypted} where id = ${accountId}`;
}

/** A hunt's SMS sent today (SMS first, voice next), as the daily run leaves it. */
async function sentSms(account: SeededAccount, phone: string): Promise<{ id: string; guid: string; adId: string }> {
  const { sql, env } = world.context;
  const smsTemplate = await seedTemplate(sql, account.id, 'sms');
  const voiceTemplate = await seedTemplate(sql, account.id, 'ringless_voice', 'audio-1');
  const [hunt] = await sql<{ id: string }[]>`
    insert into hunts (account_id, name, daily_pacing_limit, outreach_settings, template_ids)
    values (${account.id}, 'hunt', 10, ${sql.json({ sms: true, ringlessVoice: true })},
            ${sql.json({ sms: smsTemplate, ringlessVoice: voiceTemplate })})
    returning id`;
  const adId = await seedAd(sql, phone);
  const created = await createMessage(sql, {
    accountId: account.id,
    adId,
    channel: 'sms',
    recipientPhone: phone,
    content: 'Bonjour !',
    templateId: smsTemplate,
    huntId: hunt!.id,
    localDate: localDateOf(new Date(), env.OUTREACH_TIMEZONE),
    whatsappDailyCap: env.WHATSAPP_DAILY_CAP,
  });
  if (!created.created) throw new Error(created.reason);
  await dispatchMessage(world.context.queues, ALWAYS_OPEN, {
    id: created.messageId,
    accountId: account.id,
    channel: 'sms',
    recipientPhone: phone,
  });
  const row = await settled(sql, created.messageId);
  expect(row).toMatchObject({ status: 'sent' });
  return { id: created.messageId, guid: row.external_id!, adId };
}

const inbound = (accountId: string) => world.context.sql`
  select phone_number, body, external_id, answers_message_id, opt_out from inbound_messages
  where account_id = ${accountId}`;
const events = (accountId: string) => world.context.sql`
  select event_type from provider_webhook_events where provider = 'smsmobileapi' and account_id = ${accountId}`;
const message = async (id: string) =>
  (
    await world.context.sql`
  select status, error_code, error_message, credit_state, handset_sent_at, replied_at from messages
  where id = ${id}`
  )[0]!;

describe('POST /webhooks/smsmobileapi/:accountId', () => {
  it(
    'handles a signed sms.received once: the contact replied; ' + 'a redelivery answers 200 and changes nothing',
    async () => {
      const account = await webhookAccount();
      const sent = await sentSms(account, '+33611000901');

      const deliveries = await sms.receive(
        account.smsKey!,
        { from: '06 11 00 09 01', message: 'Toujours dispo ma Clio' },
        { redeliver: true },
      );
      expect(deliveries.map((d) => [d.status, d.body])).toEqual([
        [202, { eventId: deliveries[0]!.event.id }],
        [200, { eventId: deliveries[0]!.event.id, duplicate: true }],
      ]);

      expect(await message(sent.id)).toMatchObject({ status: 'replied', replied_at: expect.any(Date) as Date });
      expect(await inbound(account.id)).toEqual([
        {
          phone_number: '+33611000901',
          body: 'Toujours dispo ma Clio',
          external_id: sms.inbox.get(account.smsKey!)![0]!.guid,
          answers_message_id: sent.id,
          opt_out: false,
        },
      ]);
      expect(await events(account.id)).toEqual([{ event_type: 'sms.received' }]);
    },
  );

  it('suppresses the sender of STOP', async () => {
    const account = await webhookAccount();
    const sent = await sentSms(account, '+33611000902');
    const [delivery] = await sms.receive(account.smsKey!, { from: '+33611000902', message: 'Stop' });
    expect(delivery!.status).toBe(202);
    expect(
      await world.context.sql`select source_channel from suppressed_phone_numbers where phone_number = '+33611000902'`,
    ).toEqual([{ source_channel: 'sms' }]);
    expect(await inbound(account.id)).toEqual([
      expect.objectContaining({ answers_message_id: sent.id, opt_out: true }),
    ]);
  });

  it('suppresses STOP pushed with unix or naive times and a numeric guid, at the time the phone got it', async () => {
    for (const [webhookTimes, phone] of [
      ['unix_seconds', '+33611000910'],
      ['naive', '+33611000911'],
    ] as const) {
      const account = await webhookAccount();
      const sent = await sentSms(account, phone);
      Object.assign(sms.modes, { webhookTimes, numericGuids: true });
      try {
        const [delivery] = await sms.receive(account.smsKey!, { from: phone, message: 'STOP' });
        expect([webhookTimes, delivery!.status]).toEqual([webhookTimes, 202]);
      } finally {
        Object.assign(sms.modes, { webhookTimes: 'iso', numericGuids: false });
      }
      const [got] = sms.inbox.get(account.smsKey!)!;
      expect(typeof got!.guid).toBe('number');
      expect(
        await world.context.sql`select source_channel from suppressed_phone_numbers where phone_number = ${phone}`,
      ).toEqual([{ source_channel: 'sms' }]);
      expect(
        await world.context.sql`
        select external_id, answers_message_id, opt_out, received_at from inbound_messages
        where account_id = ${account.id}`,
      ).toEqual([
        {
          external_id: String(got!.guid),
          answers_message_id: sent.id,
          opt_out: true,
          received_at: new Date(got!.timestamp_unix * 1000),
        },
      ]);
    }
  });

  it('records sms.sent as the time the phone sent it, the status staying sent', async () => {
    const account = await webhookAccount();
    const sent = await sentSms(account, '+33611000903');
    const [delivery] = await sms.reportOnPhone(sent.guid, { sent: true });
    expect(delivery!.status).toBe(202);
    expect(await message(sent.id)).toMatchObject({
      status: 'sent',
      handset_sent_at: expect.any(Date) as Date,
      credit_state: 'consumed',
    });
  });

  it(
    'fails an SMS on sms.failed: credit refunded once, ' + 'contact handed over to voice the same day and sent',
    async () => {
      const account = await webhookAccount();
      const sent = await sentSms(account, '+33611000904');
      expect(await credits(world.context.sql, account.id)).toMatchObject({ sms: 9, sms_reserved: 0 });

      const deliveries = await sms.reportOnPhone(
        sent.guid,
        { failed: 'RESULT_ERROR_GENERIC_FAILURE' },
        { redeliver: true },
      );
      expect(deliveries.map((d) => d.status)).toEqual([202, 200]);

      expect(await message(sent.id)).toMatchObject({
        status: 'failed',
        error_code: SMS_FAILED_ON_PHONE,
        error_message: 'RESULT_ERROR_GENERIC_FAILURE',
        credit_state: 'refunded',
      });
      expect(
        await world.context.sql`
      select type, amount, balance_after from credit_transactions where message_id = ${sent.id} order by created_at`,
      ).toEqual([
        { type: 'usage', amount: -1, balance_after: 9 },
        { type: 'refund', amount: 1, balance_after: 10 },
      ]);
      expect(
        await world.context.sql`select 1 from contacted_ads where ad_id = ${sent.adId} and channel = 'sms'`,
      ).toEqual([]);
      expect(await world.context.sql`select stage from leads where ad_id = ${sent.adId}`).toEqual([
        { stage: 'contacted' },
      ]);

      const [next] = await world.context.sql<
        { id: string }[]
      >`select id from messages where ad_id = ${sent.adId} and channel = 'ringless_voice'`;
      expect(await settled(world.context.sql, next!.id)).toMatchObject({ status: 'sent', credit_state: 'consumed' });
      expect(voice.campaigns.filter((c) => c.phoneNumbers === '+33611000904')).toHaveLength(1);
      expect(await credits(world.context.sql, account.id)).toMatchObject({
        sms: 10,
        sms_reserved: 0,
        ringless_voice: 9,
        ringless_voice_reserved: 0,
      });
      expect(await world.context.sql`select channel from contacted_ads where ad_id = ${sent.adId}`).toEqual([
        { channel: 'ringless_voice' },
      ]);
    },
  );

  it('acknowledges and logs event types it does not act on, and reports for unknown messages', async () => {
    const account = await webhookAccount();
    const url = webhookUrl(account.id);
    const [call] = await postWebhookV2(url, account.secret, webhookV2Event('call.missed', { from: '+33611000905' }));
    const [unknown] = await postWebhookV2(
      url,
      account.secret,
      webhookV2Event('sms.failed', { guid: 'no-such-guid', error: 'x' }),
    );
    expect([call!.status, unknown!.status]).toEqual([202, 202]);
    const logged = logLines
      .map((l) => JSON.parse(l) as Record<string, unknown>)
      .filter((l) => l.accountId === account.id);
    expect(logged).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ eventType: 'call.missed', effect: 'unhandled_type' }),
        expect.objectContaining({ eventType: 'sms.failed', effect: 'unknown_message', level: 40 }),
      ]),
    );
  });

  it(
    'refuses a bad signature, a stale timestamp, a malformed body and unknown accounts; ' + 'nothing is written',
    async () => {
      const account = await webhookAccount();
      const sent = await sentSms(account, '+33611000906');
      const withoutSecret = await webhookAccount({ storeSecret: false });
      const post = (accountId: string, request: { headers: Record<string, string>; body: string }) =>
        world.context.app.inject({
          method: 'POST',
          url: ROUTES.smsMobileApiWebhook.replace(':accountId', accountId),
          headers: request.headers,
          payload: request.body,
        });
      const received = webhookV2Event('sms.received', { guid: 'g-906', from: '+33611000906', message: 'Oui' });
      const valid = signWebhookV2(account.secret, received);

      const tampered = await post(account.id, { ...valid, body: valid.body.replace('Oui', 'STOP') });
      const wrongSecret = await post(account.id, signWebhookV2('another-secret', received));
      const unsigned = await post(account.id, {
        ...valid,
        headers: { ...valid.headers, 'x-smsmobileapi-signature': '' },
      });
      const stale = await post(
        account.id,
        signWebhookV2(account.secret, received, { timestampUnix: Math.floor(Date.now() / 1000) - 301 }),
      );
      const noAccount = await post('00000000-0000-4000-8000-000000000000', valid);
      const notAnId = await post('not-an-account', valid);
      const noSecret = await post(withoutSecret.id, signWebhookV2(withoutSecret.secret, received));
      const signature = { error: 'INVALID_SIGNATURE', message: 'the signature does not match' };
      for (const response of [tampered, wrongSecret, unsigned, noAccount, notAnId, noSecret])
        expect([response.statusCode, response.json()]).toEqual([401, signature]);
      expect([stale.statusCode, stale.json<{ error: string }>().error]).toEqual([401, 'STALE_TIMESTAMP']);

      const notJson = await post(account.id, signWebhookV2(account.secret, received, { rawBody: '{"id": ' }));
      expect([notJson.statusCode, notJson.json<{ error: string }>().error]).toEqual([400, 'INVALID_JSON']);
      const noSender = await post(
        account.id,
        signWebhookV2(account.secret, { ...received, data: { guid: 'g-906', message: 'Oui' } }),
      );
      expect([noSender.statusCode, noSender.json()]).toEqual([
        400,
        { error: 'INVALID_PAYLOAD', message: expect.stringContaining('data.from') as string },
      ]);
      const notEvent = await post(account.id, signWebhookV2(account.secret, { ...received, id: 'x' }));
      expect([notEvent.statusCode, notEvent.json<{ error: string }>().error]).toEqual([400, 'INVALID_PAYLOAD']);

      expect(await events(account.id)).toEqual([]);
      expect(await events(withoutSecret.id)).toEqual([]);
      expect(await inbound(account.id)).toEqual([]);
      expect(await message(sent.id)).toMatchObject({ status: 'sent', replied_at: null });
      expect(
        await world.context.sql`select 1 from suppressed_phone_numbers where phone_number = '+33611000906'`,
      ).toEqual([]);
    },
  );

  it('handles a reply the poll already read once, by its guid; the poll leaves webhook accounts alone', async () => {
    // The dashboard has the endpoint but the worker not yet the secret: the push is refused and the
    // poll reads the reply.
    const account = await webhookAccount({ storeSecret: false });
    const sent = await sentSms(account, '+33611000907');
    const [refused] = await sms.receive(account.smsKey!, { from: '+33611000907', message: 'Combien ?' });
    expect(refused!.status).toBe(401);
    await poll();
    expect(await inbound(account.id)).toEqual([
      expect.objectContaining({ external_id: sms.inbox.get(account.smsKey!)![0]!.guid, answers_message_id: sent.id }),
    ]);

    // Then the secret is stored and the provider retries its delivery: acknowledged, not handled twice.
    await storeSecret(account.id, account.secret);
    const [retried] = await postWebhookV2(webhookUrl(account.id), account.secret, refused!.event);
    expect(retried!.status).toBe(202);
    expect(await inbound(account.id)).toHaveLength(1);

    // Now pushed, no longer polled: a reply only in the inbox is not read.
    const readsBefore = sms.requests.filter(
      (r) => r.path === '/getsms/' && r.query.get('apikey') === account.smsKey,
    ).length;
    await poll();
    expect(sms.requests.filter((r) => r.path === '/getsms/' && r.query.get('apikey') === account.smsKey)).toHaveLength(
      readsBefore,
    );
  });

  it('lets an operator store the secret through the API, encrypted and never sent back, or remove it', async () => {
    const account = await webhookAccount({ storeSecret: false });
    const auth = { authorization: `Bearer ${testEnv().API_SECRET!}` };
    const put = (accountId: string, payload: object, headers: Record<string, string> = auth) =>
      world.context.app.inject({
        method: 'PUT',
        url: ROUTES.smsWebhookSecret.replace(':accountId', accountId),
        headers,
        payload,
      });

    expect((await put(account.id, { secret: account.secret }, {})).statusCode).toBe(401);
    const stored = await put(account.id, { secret: account.secret });
    expect([stored.statusCode, stored.body]).toEqual([204, '']);
    const [row] = await world.context.sql<
      { secret: string }[]
    >`select sms_webhook_secret as secret from accounts where id = ${account.id}`;
    expect(row!.secret).not.toContain(account.secret);
    expect((await sms.receive(account.smsKey!, { from: '+33611000909', message: 'Bonjour' }))[0]!.status).toBe(202);

    for (const bad of [{ secret: '' }, { secret: 12 }, { secret: 'x', extra: true }])
      expect((await put(account.id, bad)).json()).toMatchObject({ error: 'INVALID_BODY' });
    expect((await put('not-an-id', { secret: 'x' })).statusCode).toBe(400);
    expect((await put('00000000-0000-4000-8000-000000000000', { secret: 'x' })).statusCode).toBe(404);

    expect((await put(account.id, { secret: null })).statusCode).toBe(204);
    expect((await sms.receive(account.smsKey!, { from: '+33611000909', message: 'Bonjour' }))[0]!.status).toBe(401);
  });

  it(
    'reports an account whose stored secret cannot be decrypted as a 500; ' +
      'no secret, number or text leaks anywhere',
    async () => {
      const account = await webhookAccount();
      await world.context.sql`
      update accounts set sms_webhook_secret = 'not-encrypted-with-our-key' where id = ${account.id}`;
      const [broken] = await sms.receive(account.smsKey!, { from: '+33611000908', message: 'Mon texte secret 908' });
      expect([broken!.status, broken!.body]).toEqual([500, { error: 'INTERNAL_ERROR', message: 'internal error' }]);
      await expect
        .poll(() => sentry.requests.filter((r) => r.path.includes('/envelope')).length, { timeout: 10_000 })
        .toBeGreaterThan(0);

      const jobs = (await Promise.all(Object.values(world.context.queues).map((q) => q.getJobs()))).flat();
      expect(jobs.length).toBeGreaterThan(0);
      const everything = [
        ...logLines,
        ...sentry.requests.map((r) => r.body),
        ...jobs.map((j) => JSON.stringify({ data: j.data as unknown, returnvalue: j.returnvalue as unknown })),
      ].join('\n');
      for (const leak of [
        ...secrets,
        'Toujours dispo ma Clio',
        'Mon texte secret 908',
        'Combien ?',
        '+33611000901',
        '0611000908',
      ])
        expect(everything).not.toContain(leak);
    },
  );

  it('handles an event id once per account: two dealers sent the same event both get its effect', async () => {
    const [first, second] = [await webhookAccount(), await webhookAccount()];
    const event = webhookV2Event('sms.received', { guid: 'shared-guid', from: '+33611000970', message: 'Bonjour' });
    for (const account of [first, second]) {
      const request = signWebhookV2(account.secret, event);
      const url = ROUTES.smsMobileApiWebhook.replace(':accountId', account.id);
      const answer = await world.context.app.inject({
        method: 'POST',
        url,
        headers: request.headers,
        payload: request.body,
      });
      expect([answer.statusCode, answer.json()]).toEqual([202, { eventId: event.id }]);
      expect(await events(account.id)).toEqual([{ event_type: 'sms.received' }]);
    }
  });

  it('refuses past WEBHOOK_RATE_LIMIT_PER_MINUTE with 429 before the signature check, per account', async () => {
    const url = (accountId: string) => ROUTES.smsMobileApiWebhook.replace(':accountId', accountId);
    const post = async (accountId: string) =>
      (
        await world.context.app.inject({
          method: 'POST',
          url: url(accountId),
          headers: { 'content-type': 'application/json' },
          payload: '{}',
        })
      ).statusCode;
    const busy = '00000000-0000-4000-8000-000000000000';
    let status = 0;
    for (let i = 0; i <= world.context.env.WEBHOOK_RATE_LIMIT_PER_MINUTE && status !== 429; i++)
      status = await post(busy);
    expect(status).toBe(429);
    // Another dealer's events, from the same provider servers, still get through to their check.
    expect(await post('00000000-0000-4000-8000-000000000001')).not.toBe(429);
  });
});

async function poll(): Promise<void> {
  const job = await world.context.queues.maintenance.add(JOBS.pollSmsReplies, {});
  await expect.poll(() => job.getState()).toBe('completed');
}
