// Every /api route: bearer auth, input validation, its happy path, and no secret in any answer.
import { once } from 'node:events';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger, JOB_IDS, JOBS, parseEnv, QUEUES, ROUTES, WORKER_ROLES } from '@auto-prospect/core';
import { createFakeWhatsApp, testEnv } from '@auto-prospect/testkit';
import { createContext } from '../src/context.js';
import { createTestWorld, type TestWorld } from './support/test-context.js';
import { linkWhatsApp, seedAccount, seedAd, seedTemplate, type SeededAccount } from './support/seed.js';

const wa = createFakeWhatsApp();
let world: TestWorld;
let account: SeededAccount;
let huntId: string;
const bodies: string[] = [];
const SECRET = testEnv().API_SECRET!;

async function call(
  method: 'GET' | 'POST' | 'DELETE',
  url: string,
  options: { token?: string | null; body?: unknown } = {},
) {
  const token = options.token === undefined ? SECRET : options.token;
  const response = await world.context.app.inject({
    method,
    url,
    headers: token === null ? {} : { authorization: `Bearer ${token}` },
    ...(options.body === undefined ? {} : { payload: options.body as object }),
  });
  bodies.push(response.body);
  return response;
}

beforeAll(async () => {
  world = await createTestWorld({}, { whatsappSocketFactory: wa.factory });
  account = await seedAccount(world.context);
  const [hunt] = await world.context.sql<
    { id: string }[]
  >`insert into hunts (account_id, name) values (${account.id}, 'h') returning id`;
  huntId = hunt!.id;
});

afterAll(async () => {
  await world.teardown();
});

const routes: [method: 'GET' | 'POST' | 'DELETE', url: () => string][] = [
  ['POST', () => ROUTES.dailyRuns],
  ['GET', () => ROUTES.dailyRun.replace(':runId', '00000000-0000-4000-8000-000000000000')],
  ['POST', () => ROUTES.huntRun.replace(':huntId', huntId)],
  ['GET', () => ROUTES.queues],
  ['GET', () => ROUTES.job.replace(':queue', QUEUES.sms).replace(':jobId', 'x')],
  ['GET', () => ROUTES.whatsappLink.replace(':accountId', account.id)],
  ['POST', () => ROUTES.whatsappLink.replace(':accountId', account.id)],
  ['POST', () => ROUTES.messages],
  ['DELETE', () => ROUTES.channelPause.replace(':accountId', account.id).replace(':channel', 'sms')],
];

describe('API authentication', () => {
  it('refuses every route without a token or with a wrong one', async () => {
    for (const [method, url] of routes) {
      for (const token of [null, 'wrong-token-wrong-token-wrong', `${SECRET}x`]) {
        const response = await call(method, url(), { token });
        expect([url(), response.statusCode, response.json<{ error: string }>().error]).toEqual([
          url(),
          401,
          'UNAUTHORIZED',
        ]);
      }
    }
  });
});

describe('API requests as clients send them', () => {
  it('take a lowercase bearer scheme, a trailing slash and an empty JSON body', async () => {
    const response = await world.context.app.inject({
      method: 'POST',
      url: `${ROUTES.dailyRuns}/`,
      headers: { authorization: `bearer ${SECRET}`, 'content-type': 'application/json' },
      payload: '',
    });
    expect(response.statusCode).toBe(202);
  });
});

describe('API routes', () => {
  it('daily runs: start (idempotent), read progress, 400 and 404', async () => {
    const first = await call('POST', ROUTES.dailyRuns);
    const second = await call('POST', ROUTES.dailyRuns);
    expect(first.statusCode).toBe(202);
    expect(second.json()).toEqual(first.json());
    const runId = first.json<{ runId: string }>().runId;
    const report = await call('GET', ROUTES.dailyRun.replace(':runId', runId));
    expect(report.statusCode).toBe(200);
    expect(report.json()).toMatchObject({
      id: runId,
      hunts: { total: expect.any(Number) as number },
      contacts: { sms: { planned: 0 } },
    });
    expect((await call('GET', ROUTES.dailyRun.replace(':runId', 'not-a-uuid'))).statusCode).toBe(400);
    expect(
      (await call('GET', ROUTES.dailyRun.replace(':runId', '00000000-0000-4000-8000-000000000000'))).statusCode,
    ).toBe(404);
  });

  it('hunt run: 202 for a hunt, 404 for none, 400 for a malformed id', async () => {
    expect((await call('POST', ROUTES.huntRun.replace(':huntId', huntId))).statusCode).toBe(202);
    expect(
      (await call('POST', ROUTES.huntRun.replace(':huntId', '00000000-0000-4000-8000-000000000000'))).statusCode,
    ).toBe(404);
    expect((await call('POST', ROUTES.huntRun.replace(':huntId', '1 or 1=1'))).statusCode).toBe(400);
    // Any id Postgres takes as a uuid, not only RFC 4122 ones.
    expect(
      (await call('POST', ROUTES.huntRun.replace(':huntId', '11111111-1111-1111-1111-111111111111'))).statusCode,
    ).toBe(404);
  });

  it('queues and jobs: counts per state, one job without its data, 400 and 404', async () => {
    await world.context.queues.sms.add(
      JOBS.sendMessage,
      { messageId: '00000000-0000-4000-8000-000000000001' },
      { jobId: JOB_IDS.message('00000000-0000-4000-8000-000000000001') },
    );
    const queues = await call('GET', ROUTES.queues);
    expect(queues.json<{ queues: Record<string, Record<string, number>> }>().queues[QUEUES.sms]).toMatchObject({
      waiting: 1,
      failed: 0,
    });
    const job = await call(
      'GET',
      ROUTES.job
        .replace(':queue', QUEUES.sms)
        .replace(':jobId', JOB_IDS.message('00000000-0000-4000-8000-000000000001')),
    );
    expect(job.json()).toMatchObject({
      name: JOBS.sendMessage,
      queue: QUEUES.sms,
      state: 'waiting',
      attemptsMade: 0,
      failedReason: null,
    });
    expect(job.body).not.toContain('messageId');
    expect((await call('GET', ROUTES.job.replace(':queue', 'nope').replace(':jobId', 'x'))).statusCode).toBe(400);
    expect((await call('GET', ROUTES.job.replace(':queue', QUEUES.sms).replace(':jobId', 'missing'))).statusCode).toBe(
      404,
    );
  });

  it('WhatsApp linking: QR as a data URL, pairing code for a number, status, 400 and 404', async () => {
    const qr = await call('POST', ROUTES.whatsappLink.replace(':accountId', account.id));
    expect([qr.statusCode, qr.json<{ qr: string }>().qr]).toEqual([
      202,
      expect.stringMatching(/^data:image\/png;base64,/),
    ]);
    const other = await seedAccount(world.context);
    const code = await call('POST', ROUTES.whatsappLink.replace(':accountId', other.id), {
      body: { phoneNumber: '06 98 76 54 32' },
    });
    expect(code.json()).toEqual({ pairingCode: expect.stringMatching(/^[1-9A-HJ-NP-TV-Z]{8}$/) as string });
    expect(
      (await call('POST', ROUTES.whatsappLink.replace(':accountId', other.id), { body: { phoneNumber: 'abc' } }))
        .statusCode,
    ).toBe(400);
    expect(
      (await call('POST', ROUTES.whatsappLink.replace(':accountId', other.id), { body: { extra: 1 } })).statusCode,
    ).toBe(400);
    expect(
      (await call('POST', ROUTES.whatsappLink.replace(':accountId', '00000000-0000-4000-8000-000000000000')))
        .statusCode,
    ).toBe(404);
    const linked = await seedAccount(world.context);
    await linkWhatsApp(world.context, linked);
    const status = await call('GET', ROUTES.whatsappLink.replace(':accountId', linked.id));
    expect(status.json()).toMatchObject({ linked: true, connected: true, disconnected: false, pausedFor: null });

    const loggedOut = await world.context.app.inject({
      method: 'DELETE',
      url: ROUTES.whatsappLink.replace(':accountId', linked.id),
      headers: { authorization: `Bearer ${SECRET}` },
    });
    expect(loggedOut.statusCode).toBe(202);
    await expect
      .poll(async () =>
        (await call('GET', ROUTES.whatsappLink.replace(':accountId', linked.id))).json<Record<string, unknown>>(),
      )
      .toMatchObject({ linked: false, connected: false, disconnected: true, pausedFor: 'WHATSAPP_LOGGED_OUT' });
    const again = await world.context.app.inject({
      method: 'DELETE',
      url: ROUTES.whatsappLink.replace(':accountId', linked.id),
      headers: { authorization: `Bearer ${SECRET}` },
    });
    expect(again.statusCode).toBe(404);
    expect(
      (await world.context.app.inject({ method: 'DELETE', url: ROUTES.whatsappLink.replace(':accountId', linked.id) }))
        .statusCode,
    ).toBe(401);
  });

  it('manual contact: lifecycle and checks, 202, 409 for the same ad or a blank template, 404, 400', async () => {
    const templateId = await seedTemplate(world.context.sql, account.id, 'sms');
    const adId = await seedAd(world.context.sql, '+33655443322');
    const body = { accountId: account.id, adId, channel: 'sms', templateId };
    const created = await call('POST', ROUTES.messages, { body });
    expect(created.statusCode).toBe(202);
    const messageId = created.json<{ messageId: string }>().messageId;
    expect(
      await world.context.sql`select status, credit_state, recipient_phone from messages where id = ${messageId}`,
    ).toEqual([{ status: 'pending', credit_state: 'reserved', recipient_phone: '+33655443322' }]);
    expect(await world.context.queues.sms.getJob(JOB_IDS.message(messageId))).toBeDefined();
    const again = await call('POST', ROUTES.messages, { body });
    expect([again.statusCode, again.json<{ error: string }>().error]).toEqual([409, 'ALREADY_CONTACTED']);
    expect(
      (await call('POST', ROUTES.messages, { body: { ...body, adId: '00000000-0000-4000-8000-000000000000' } }))
        .statusCode,
    ).toBe(404);
    expect((await call('POST', ROUTES.messages, { body: { ...body, channel: 'fax' } })).statusCode).toBe(400);
    const blank = await seedTemplate(world.context.sql, account.id, 'sms');
    await world.context.sql`update message_templates set content = ' ' where id = ${blank}`;
    const otherAd = await seedAd(world.context.sql, '+33655443323');
    const refused = await call('POST', ROUTES.messages, { body: { ...body, adId: otherAd, templateId: blank } });
    expect([refused.statusCode, refused.json<{ error: string }>().error]).toEqual([409, 'TEMPLATE_EMPTY']);
  });

  it('channel pause: an operator ends it → 204, then 404; 400 for an unknown channel', async () => {
    const paused = await seedAccount(world.context);
    await world.context.sql`
      insert into account_channel_pauses (account_id, channel, reason_code, reason)
      values (${paused.id}, 'sms', 'SMS_PLAN_EXPIRED', 'the SMSMobileAPI plan expired')`;
    const url = ROUTES.channelPause.replace(':accountId', paused.id).replace(':channel', 'sms');
    expect((await call('DELETE', url)).statusCode).toBe(204);
    expect(await world.context.sql`select 1 from account_channel_pauses where account_id = ${paused.id}`).toEqual([]);
    expect((await call('DELETE', url)).statusCode).toBe(404);
    expect((await call('DELETE', url.replace('/sms', '/fax'))).statusCode).toBe(400);
  });

  it('never answer with a secret', () => {
    const env = world.context.env;
    const secrets = [
      account.smsKey!,
      env.API_SECRET,
      env.SMS_API_KEY_ENCRYPTION_KEY,
      env.WHATSAPP_ENCRYPTION_KEY,
      env.LOBSTR_API_KEY,
      env.VOICE_PARTNER_API_KEY,
    ];
    expect(bodies.length).toBeGreaterThan(30);
    for (const body of bodies) for (const secret of secrets) expect(body).not.toContain(secret);
  });
});

describe('OpenAPI', () => {
  it('documents every route at /docs, behind the API secret, with its inputs and the bearer scheme', async () => {
    expect((await world.context.app.inject(`${ROUTES.docs}/json`)).statusCode).toBe(401);
    const basic = { authorization: `Basic ${Buffer.from(`ops:${SECRET}`).toString('base64')}` };
    expect((await world.context.app.inject({ url: ROUTES.docs, headers: basic })).statusCode).toBeLessThan(400);
    const doc = (
      await world.context.app.inject({ url: `${ROUTES.docs}/json`, headers: { authorization: `Bearer ${SECRET}` } })
    ).json<{
      paths: Record<string, Record<string, { security?: unknown; parameters?: unknown[]; requestBody?: unknown }>>;
    }>();
    const documented = Object.keys(doc.paths);
    const openapiPath = (route: string) => route.replace(/:(\w+)/g, '{$1}');
    for (const route of [
      ROUTES.healthLive,
      ROUTES.healthReady,
      ROUTES.lobstrWebhook,
      ROUTES.smsMobileApiWebhook,
      ROUTES.dailyRuns,
      ROUTES.dailyRun,
      ROUTES.huntRun,
      ROUTES.queues,
      ROUTES.job,
      ROUTES.whatsappLink,
      ROUTES.smsWebhookSecret,
      ROUTES.messages,
      ROUTES.metrics,
    ]) {
      expect(documented).toContain(openapiPath(route));
    }
    expect(doc.paths[openapiPath(ROUTES.messages)]!.post!.requestBody).toBeDefined();
    expect(doc.paths[openapiPath(ROUTES.dailyRun)]!.get!.security).toEqual([{ bearer: [] }]);
  });

  it('documents what every route answers: its successes, and its errors with the {error, message} body', async () => {
    type Operation = {
      security?: unknown;
      responses?: Record<string, { content?: Record<string, { schema?: unknown }> }>;
    };
    const doc = (
      await world.context.app.inject({ url: `${ROUTES.docs}/json`, headers: { authorization: `Bearer ${SECRET}` } })
    ).json<{ paths: Record<string, Record<string, Operation>> }>();
    const errorBody = {
      type: 'object',
      properties: { error: { type: 'string' }, message: { type: 'string' } },
      required: ['error', 'message'],
    };
    const operations = Object.entries(doc.paths).flatMap(([path, methods]) =>
      Object.entries(methods).map(([method, operation]) => ({ route: `${method} ${path}`, operation })),
    );
    expect(operations.length).toBeGreaterThanOrEqual(17);
    for (const { route, operation } of operations) {
      const statuses = Object.keys(operation.responses ?? {});
      expect([route, statuses.some((status) => status.startsWith('2'))]).toEqual([route, true]);
      // Every route documents the error body for the errors it answers itself and for any other.
      const errors = statuses.filter((status) => status.startsWith('4') || status === 'default');
      expect([route, errors]).toEqual([
        route,
        expect.arrayContaining(['default', ...(operation.security ? ['401', '429'] : [])]) as string[],
      ]);
      for (const status of errors)
        expect([route, status, operation.responses![status]!.content?.['application/json']?.schema]).toMatchObject([
          route,
          status,
          errorBody,
        ]);
    }
  });
});

describe('refused input', () => {
  it("answers the route's own code with a reason, before the handler runs", async () => {
    const refused = async (method: 'GET' | 'POST', url: string, body?: unknown) => {
      const response = await call(method, url, body === undefined ? {} : { body });
      return [response.statusCode, response.json<{ error: string; message: string }>()];
    };
    const uuid = '00000000-0000-4000-8000-000000000000';
    expect(await refused('GET', ROUTES.dailyRun.replace(':runId', 'x'))).toEqual([
      400,
      { error: 'INVALID_RUN_ID', message: 'runId must be a UUID' },
    ]);
    expect(await refused('POST', ROUTES.huntRun.replace(':huntId', 'x'))).toEqual([
      400,
      { error: 'INVALID_HUNT_ID', message: 'huntId must be a UUID' },
    ]);
    expect(await refused('GET', ROUTES.job.replace(':queue', 'nope').replace(':jobId', 'x'))).toEqual([
      400,
      { error: 'INVALID_JOB', message: 'unknown queue or malformed job id' },
    ]);
    expect(await refused('GET', ROUTES.whatsappLink.replace(':accountId', 'x'))).toEqual([
      400,
      { error: 'INVALID_ACCOUNT_ID', message: 'accountId must be a UUID' },
    ]);
    expect(
      await refused('POST', ROUTES.whatsappLink.replace(':accountId', account.id), { phoneNumber: 'abc', extra: 1 }),
    ).toEqual([
      400,
      { error: 'INVALID_BODY', message: 'phoneNumber must be a valid phone number; body Unrecognized key: "extra"' },
    ]);
    expect(await refused('GET', `${ROUTES.messages}?status=sent`)).toEqual([
      400,
      { error: 'INVALID_QUERY', message: expect.stringContaining('status') as string },
    ]);
    expect(await refused('POST', ROUTES.messageResolve.replace(':messageId', 'x'), { outcome: 'sent' })).toEqual([
      400,
      { error: 'INVALID_MESSAGE_ID', message: 'messageId must be a UUID' },
    ]);
    expect(await refused('POST', ROUTES.messageResolve.replace(':messageId', uuid), { outcome: 'maybe' })).toEqual([
      400,
      { error: 'INVALID_BODY', message: expect.stringContaining('outcome') as string },
    ]);
  });
});

describe('authentication', () => {
  it('refuses a request without the secret before reading its body', async () => {
    const refused = await world.context.app.inject({
      method: 'POST',
      url: ROUTES.messages,
      headers: { 'content-type': 'application/json' },
      payload: '{not json',
    });
    expect(refused.statusCode).toBe(401);
    expect(refused.json()).toMatchObject({ error: 'UNAUTHORIZED' });
  });
});

describe('rate limits', () => {
  it('refuse a client past its per-minute budget with 429', async () => {
    let status = 0;
    for (let i = 0; i <= world.context.env.API_RATE_LIMIT_PER_MINUTE && status !== 429; i++)
      status = (await call('GET', ROUTES.queues)).statusCode;
    expect(status).toBe(429);
  });

  it.each([ROUTES.metrics, ROUTES.dashboard])('hold for %s too, before authentication', async (url) => {
    let status = 0;
    for (let i = 0; i <= world.context.env.API_RATE_LIMIT_PER_MINUTE && status !== 429; i++)
      status = (await world.context.app.inject({ method: 'GET', url })).statusCode;
    expect(status).toBe(429);
  });
});

describe('rate limits across replicas', () => {
  it('share one budget per client address, told apart behind a trusted proxy', async () => {
    const overrides = { API_RATE_LIMIT_PER_MINUTE: '4', TRUST_PROXY: 'true' };
    const first = await createTestWorld(overrides);
    const second = createContext(
      parseEnv(testEnv({ ...overrides, DATABASE_URL: first.db.url, QUEUE_PREFIX: first.queuePrefix.prefix })),
      createLogger('silent'),
    );
    try {
      // The store skips counting while a replica's Redis is still connecting (skipOnError), as before start().
      for (const replica of [first.context, second])
        if (replica.redis.status !== 'ready') await once(replica.redis, 'ready');
      const get = (replica: typeof second, client: string) =>
        replica.app.inject({
          method: 'GET',
          url: ROUTES.queues,
          headers: { authorization: `Bearer ${SECRET}`, 'x-forwarded-for': client },
        });
      const statuses = [];
      for (const replica of [first.context, second, first.context, second, first.context])
        statuses.push((await get(replica, '203.0.113.7')).statusCode);
      expect(statuses).toEqual([200, 200, 200, 200, 429]);
      expect((await get(second, '203.0.113.8')).statusCode).toBe(200);
    } finally {
      await second.close();
      await first.teardown();
    }
  });
});

describe('roles', () => {
  it('runs only the processors of its roles and reports each worker in readiness', async () => {
    const smsOnly = await createTestWorld({ WORKER_ROLES: 'sms,voice' }, { whatsappSocketFactory: wa.factory });
    try {
      await smsOnly.context.start();
      expect(smsOnly.context.workers.map((w) => w.name).sort()).toEqual(
        [QUEUES[WORKER_ROLES.sms[0]], QUEUES[WORKER_ROLES.voice[0]]].sort(),
      );
      const ready = await smsOnly.context.app.inject(ROUTES.healthReady);
      expect(ready.json()).toMatchObject({
        ready: true,
        checks: { [`worker:${QUEUES.sms}`]: { ok: true }, [`worker:${QUEUES.voice}`]: { ok: true } },
      });
    } finally {
      await smsOnly.teardown();
    }
  });
});
