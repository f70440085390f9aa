// Nothing twice, nothing overspent, nothing secret leaked — whatever runs twice or dies.
import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Redis } from 'ioredis';
import {
  ALWAYS_OPEN,
  createLogger,
  createSmsMobileApiSender,
  JOB_IDS,
  JOBS,
  NotNowError,
  sendExactlyOnce,
  sendVoiceBatch,
  type SendVoiceBatchDeps,
} from '@auto-prospect/core';
import { loadDatabaseAuthState } from '@auto-prospect/core/clients';
import {
  createFakeWhatsApp,
  startFakeSmsMobileApi,
  startFakeVoicePartner,
  type FakeSmsMobileApi,
  type FakeVoicePartner,
} from '@auto-prospect/testkit';
import { dispatchMessage } from '../src/jobs/dispatch.js';
import { createTestWorld, type TestWorld } from './support/test-context.js';
import {
  contact,
  createPending,
  credits,
  linkWhatsApp,
  messageRow,
  seedAccount,
  seedTemplate,
  settled,
} from './support/seed.js';

const VOICE_KEY = 'voice-platform-secret-key';
let sms: FakeSmsMobileApi;
let voice: FakeVoicePartner;
let world: TestWorld;
let logs = '';
const wa = createFakeWhatsApp();
// Receipts would move messages on to `delivered`: whatsapp-feedback.test.ts covers them.
wa.modes.autoReceipts = false;

beforeAll(async () => {
  sms = await startFakeSmsMobileApi();
  voice = await startFakeVoicePartner();
  voice.keys.set(VOICE_KEY, 100);
  voice.audios.add('audio-1');
  const sink = new Writable({
    write: (chunk: Buffer, _enc, done) => {
      logs += chunk.toString();
      done();
    },
  });
  world = await createTestWorld(
    {
      SMSMOBILEAPI_BASE_URL: sms.url,
      VOICE_PARTNER_BASE_URL: voice.baseUrl,
      VOICE_PARTNER_API_KEY: VOICE_KEY,
      SMS_MIN_GAP_SECONDS: '0',
      WHATSAPP_MIN_GAP_SECONDS: '0',
      PROVIDER_TIMEOUT_MS: '500',
    },
    { whatsappSocketFactory: wa.factory, whatsappIdleMs: 300, logger: createLogger('debug', sink) },
  );
  await world.context.start();
});

afterAll(async () => {
  await world.teardown();
  await sms.close();
  await voice.close();
});

const sendsTo = (phone: string) => sms.sent.filter((s) => s.recipients === phone).length;

/** A pending SMS of a new account with a valid key, no job dispatched for it. */
async function pendingSms(phone: string): Promise<string> {
  const account = await seedAccount(world.context);
  sms.keys.set(account.smsKey!, 'valid');
  const created = await createPending(world.context, { accountId: account.id, phone, channel: 'sms' });
  return (created as { messageId: string }).messageId;
}

/** What a send job gives sendExactlyOnce, for calling it outside any job. */
function directSendDeps() {
  const smsSender = createSmsMobileApiSender({ baseUrl: sms.url, timeoutMs: 1000 });
  return {
    sql: world.context.sql,
    logger: createLogger('silent'),
    dryRun: false,
    smsKeyEncryptionKey: world.context.env.SMS_API_KEY_ENCRYPTION_KEY,
    window: ALWAYS_OPEN,
    pacer: {
      reserve: () => Promise.resolve(null),
      check: () => Promise.resolve(null),
      postpone: () => Promise.resolve(),
    },
    senders: { sms: smsSender, whatsapp_text: smsSender, ringless_voice: smsSender },
  };
}

/** Resolves once a backend of this database waits for a lock in a statement holding `text`. */
async function waitsForLock(text: string) {
  await expect
    .poll(
      async () =>
        (
          await world.context.sql<{ n: number }[]>`
          select count(*)::int as n from pg_stat_activity
          where datname = current_database() and wait_event_type = 'Lock' and query ilike ${'%' + text + '%'}`
        )[0]!.n,
    )
    .toBe(1);
}

describe('exactly once', () => {
  it('a message job processed twice calls the provider once', async () => {
    const account = await seedAccount(world.context);
    sms.keys.set(account.smsKey!, 'valid');
    const id = await contact(world.context, { accountId: account.id, phone: '+33611000001', channel: 'sms' });
    await settled(world.context.sql, id);
    const again = await world.context.queues.sms.add(
      JOBS.sendMessage,
      { messageId: id },
      { jobId: `${JOB_IDS.message(id)}-again` },
    );
    await expect.poll(() => again.getState()).toBe('completed');
    expect((await world.context.queues.sms.getJob(again.id!))!.returnvalue).toEqual({
      outcome: 'skipped',
      status: 'sent',
    });
    expect(sendsTo('+33611000001')).toBe(1);
  });

  it('waits for the recipient’s own sending window: a seller in Guadeloupe is not texted at dawn there', async () => {
    const opening = new Date(Date.now() + 3_600_000);
    // Open in OUTREACH_TIMEZONE, closed in Guadeloupe (frenchCanvassingWindow's zones have their unit test).
    const window = { nextOpening: (at: Date, phone?: string) => (phone?.startsWith('+590') ? opening : at) };
    const deps = { ...directSendDeps(), window };
    const there = await pendingSms('+590690000001');
    await expect(sendExactlyOnce(deps, { messageId: there, finalAttempt: false })).rejects.toMatchObject({
      code: 'OUTSIDE_SENDING_WINDOW',
    });
    expect(await world.context.sql`select status, scheduled_at from messages where id = ${there}`).toEqual([
      { status: 'pending', scheduled_at: opening },
    ]);
    expect(sendsTo('+590690000001')).toBe(0);
    const here = await pendingSms('+33611000009');
    expect(await sendExactlyOnce(deps, { messageId: here, finalAttempt: false })).toMatchObject({ outcome: 'sent' });
  });

  it('calls the voice batch members whose windows are open, the others wait for their own', async () => {
    const opening = new Date(Date.now() + 3_600_000);
    const window = { nextOpening: (at: Date, phone?: string) => (phone?.startsWith('+590') ? opening : at) };
    const account = await seedAccount(world.context);
    const templateId = await seedTemplate(world.context.sql, account.id, 'ringless_voice', 'audio-1');
    const pendingVoice = async (phone: string) =>
      (
        (await createPending(world.context, {
          accountId: account.id,
          phone,
          channel: 'ringless_voice',
          templateId,
        })) as {
          messageId: string;
        }
      ).messageId;
    const [mainland, guadeloupe] = [await pendingVoice('+33611000021'), await pendingVoice('+590690000002')];
    const deps = {
      sql: world.context.sql,
      logger: createLogger('silent'),
      window,
      // Dry run: the batch is recorded as it would be sent, without Voice Partner.
      dryRun: true,
      sender: { send: () => Promise.reject(new Error('no call in a dry run')) },
      pace: { takeSlot: () => Promise.resolve(null) },
      notifyUrl: null,
      // Nothing fails, so nothing is handed over: the hand-over's dependencies are not needed.
    } as unknown as SendVoiceBatchDeps;
    const statuses = () =>
      world.context
        .sql`select id, status, scheduled_at from messages where id in ${world.context.sql([mainland, guadeloupe])}`;

    // Led by the Guadeloupe message: the whole batch waits for its opening.
    await expect(sendVoiceBatch(deps, { messageId: guadeloupe, finalAttempt: false })).rejects.toMatchObject({
      code: 'OUTSIDE_SENDING_WINDOW',
    });
    expect(await statuses()).toEqual(
      expect.arrayContaining([
        { id: guadeloupe, status: 'pending', scheduled_at: opening },
        { id: mainland, status: 'pending', scheduled_at: null },
      ]),
    );
    // Its job run again before that opening leads nothing (it would claim and release the others).
    const touched = () => world.context.sql`select updated_at from messages where id = ${mainland}`;
    const before = await touched();
    await expect(sendVoiceBatch(deps, { messageId: guadeloupe, finalAttempt: false })).rejects.toMatchObject({
      code: 'NOT_DUE_YET',
      resumeAt: opening,
    });
    expect(await touched()).toEqual(before);
    // Led by the mainland one, the other due too: the mainland one goes, the other waits for its opening.
    await world.context.sql`update messages set scheduled_at = null where id = ${guadeloupe}`;
    expect(await sendVoiceBatch(deps, { messageId: mainland, finalAttempt: false })).toEqual({
      outcome: 'dry_run',
      messages: 1,
    });
    expect(await statuses()).toEqual(
      expect.arrayContaining([
        { id: guadeloupe, status: 'pending', scheduled_at: opening },
        { id: mainland, status: 'dry_run', scheduled_at: null },
      ]),
    );
  });

  it('two workers racing on the same message call the provider once', async () => {
    const messageId = await pendingSms('+33611000002');
    const results = await Promise.allSettled(
      [0, 1, 2].map(() => sendExactlyOnce(directSendDeps(), { messageId, finalAttempt: false })),
    );
    const outcomes = results.map((r) => (r.status === 'fulfilled' ? r.value.outcome : 'threw'));
    expect(outcomes.filter((o) => o === 'sent')).toHaveLength(1);
    expect(sendsTo('+33611000002')).toBe(1);
  });

  it('a claim that loses to a run releasing the message postpones its job, never completes it as skipped', async () => {
    const messageId = await pendingSms('+33611000004');
    // Another run holds the message `sending`: our claim waits for it, then finds nothing to claim.
    const holder = await world.context.sql.reserve();
    const releaser = await world.context.sql.reserve();
    try {
      await holder`begin`;
      await holder`update messages set status = 'sending' where id = ${messageId}`;
      const attempt = sendExactlyOnce(directSendDeps(), { messageId, finalAttempt: false }).then(
        (result) => result,
        (err: unknown) => err,
      );
      await waitsForLock('with claimed');
      // That run then gives the message back before our status read: queued for the table ahead
      // of that read, the releaser gets it as soon as our claim ends.
      await releaser`begin`;
      const locked = releaser`lock table messages in access exclusive mode`.execute();
      await waitsForLock('lock table messages');
      await holder`commit`;
      await locked;
      await releaser`update messages set status = 'pending' where id = ${messageId}`;
      await releaser`commit`;
      const outcome = await attempt;
      expect(outcome).toBeInstanceOf(NotNowError);
      expect(outcome).toMatchObject({ code: 'CLAIM_RACED' });
    } finally {
      holder.release();
      releaser.release();
    }
    expect(await messageRow(world.context.sql, messageId)).toMatchObject({ status: 'pending' });
  });

  it('a message left `sending` by a worker that died mid-call is marked uncertain, never resent', async () => {
    const messageId = await pendingSms('+33611000003');
    // What a SIGKILL after the provider accepted leaves behind: the claim, and no outcome.
    await world.context.sql`update messages set status = 'sending', claimed_at = now() where id = ${messageId}`;
    // A job enqueued before jobs carried their account: it is claimed first, as then.
    await world.context.queues.sms.add(JOBS.sendMessage, { messageId }, { jobId: JOB_IDS.message(messageId) });
    expect(await settled(world.context.sql, messageId)).toMatchObject({
      status: 'uncertain',
      error_code: 'INTERRUPTED_DURING_SEND',
      credit_state: 'reserved',
    });
    const job = await world.context.queues.sms.getJob(JOB_IDS.message(messageId));
    await expect.poll(() => job!.getState()).toBe('failed');
    expect(sendsTo('+33611000003')).toBe(0);
  });
});

describe('credits under concurrency', () => {
  it('200 contacts of one account with 50 credits across 4 worker processes: exactly 50 sent, balance 0', async () => {
    const account = await seedAccount(world.context, { smsCredits: 50 });
    sms.keys.set(account.smsKey!, 'valid');
    const processes = [world.context, ...Array.from({ length: 3 }, () => world.addProcess())];
    await Promise.all(processes.slice(1).map((p) => p.start()));
    const phones = Array.from({ length: 200 }, (_, i) => `+336200${String(i).padStart(5, '0')}`);
    const created = await Promise.all(
      phones.map(async (phone, i) => {
        const context = processes[i % 4]!;
        const result = await createPending(context, { accountId: account.id, phone, channel: 'sms' });
        if (result.created)
          await dispatchMessage(context.queues, ALWAYS_OPEN, {
            id: result.messageId,
            accountId: account.id,
            channel: 'sms',
            recipientPhone: phone,
          });
        return result;
      }),
    );
    const ids = created.flatMap((r) => (r.created ? [r.messageId] : []));
    expect(ids).toHaveLength(50);
    expect(created.filter((r) => !r.created && r.reason === 'INSUFFICIENT_CREDITS')).toHaveLength(150);
    for (const id of ids) expect(await settled(world.context.sql, id, 30_000)).toMatchObject({ status: 'sent' });
    expect(await credits(world.context.sql, account.id)).toMatchObject({ sms: 0, sms_reserved: 0 });
    const [usage] = await world.context.sql<{ rows: number; messages: number }[]>`
      select count(*)::int as rows, count(distinct message_id)::int as messages from credit_transactions
      where account_id = ${account.id} and type = 'usage'`;
    expect(usage).toEqual({ rows: 50, messages: 50 });
    expect(sms.sent.filter((s) => s.apikey === account.smsKey)).toHaveLength(50);
  });
});

describe('secrets', () => {
  it('never appear in job data, return values, failure reasons or log lines', async () => {
    const account = await seedAccount(world.context);
    sms.keys.set(account.smsKey!, 'valid');
    await linkWhatsApp(world.context, account);
    wa.onWhatsApp.add('33611000013');
    const revoked = await seedAccount(world.context);
    const templateId = await seedTemplate(world.context.sql, account.id, 'ringless_voice', 'audio-1');
    const ids = [
      await contact(world.context, { accountId: account.id, phone: '+33611000010', channel: 'sms' }),
      await contact(world.context, { accountId: revoked.id, phone: '+33611000011', channel: 'sms' }),
      await contact(world.context, { accountId: account.id, phone: '+33611000013', channel: 'whatsapp_text' }),
      await contact(world.context, {
        accountId: account.id,
        phone: '+33611000012',
        channel: 'ringless_voice',
        templateId,
      }),
    ];
    for (const id of ids) await settled(world.context.sql, id);

    const creds = (
      await loadDatabaseAuthState(world.context.sql, account.id, world.context.env.WHATSAPP_ENCRYPTION_KEY)
    ).state.creds;
    const secrets = [
      account.smsKey!,
      revoked.smsKey!,
      VOICE_KEY,
      world.context.env.SMS_API_KEY_ENCRYPTION_KEY,
      world.context.env.WHATSAPP_ENCRYPTION_KEY,
      world.context.env.API_SECRET,
      world.context.env.LOBSTR_API_KEY,
      Buffer.from(creds.noiseKey.private).toString('base64'),
      Buffer.from(creds.signedIdentityKey.private).toString('base64'),
      creds.advSecretKey,
    ];
    const redis = new Redis(world.context.env.REDIS_URL);
    let stored = '';
    try {
      for (const key of await redis.keys(`${world.queuePrefix.prefix}:*`)) {
        if ((await redis.type(key)) === 'hash') stored += JSON.stringify(await redis.hgetall(key));
      }
    } finally {
      redis.disconnect();
    }
    expect(stored).toContain('messageId');
    // The failed SMS is logged with its job and message ids, but no key and no full number.
    const failure = logs
      .split('\n')
      .filter(Boolean)
      .map((l) => JSON.parse(l) as Record<string, unknown>)
      .find((l) => l.errorCode === 'SMS_KEY_REVOKED' && l.messageId === ids[1]);
    expect(failure).toMatchObject({
      queue: 'channel-sms',
      jobId: `message-${ids[1]}`,
      messageId: ids[1],
      accountId: revoked.id,
    });
    for (const phone of ['+33611000010', '+33611000011', '+33611000012', '+33611000013', '611000011'])
      expect(logs).not.toContain(phone);
    for (const secret of secrets) {
      expect(stored).not.toContain(secret);
      expect(logs).not.toContain(secret);
    }
  });
});

describe('DRY_RUN', () => {
  it(
    'runs the lifecycle without calling any provider, the reply poll and sweep included, ' + 'or consuming credit',
    async () => {
      const dry = await createTestWorld({ SMSMOBILEAPI_BASE_URL: sms.url, DRY_RUN: 'true' });
      try {
        await dry.context.start();
        const account = await seedAccount(dry.context, { smsCredits: 3 });
        sms.keys.set(account.smsKey!, 'valid');
        const calls = () => sms.requestsWithKey(account.smsKey!).length;
        const before = calls();
        const id = await contact(dry.context, { accountId: account.id, phone: '+33611000020', channel: 'sms' });
        expect(await settled(dry.context.sql, id)).toMatchObject({ status: 'dry_run', credit_state: 'released' });
        expect(await credits(dry.context.sql, account.id)).toMatchObject({ sms: 3, sms_reserved: 0 });
        for (const name of [JOBS.pollSmsReplies, JOBS.sweepPendingMessages]) {
          const job = await dry.context.queues.maintenance.add(name, {});
          await expect.poll(() => job.getState()).toBe('completed');
        }
        expect(calls()).toBe(before);
      } finally {
        await dry.teardown();
      }
    },
  );
});
