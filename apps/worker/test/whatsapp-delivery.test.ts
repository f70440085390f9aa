// WhatsApp through the real queue and workers, Baileys replaced by a fake socket.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ALWAYS_OPEN } from '@auto-prospect/core';
import { loadDatabaseAuthState } from '@auto-prospect/core/clients';
import { createFakeWhatsApp, type FakeWhatsApp } from '@auto-prospect/testkit';
import { dispatchMessage } from '../src/jobs/dispatch.js';
import { createTestWorld, type TestWorld } from './support/test-context.js';
import { contact, createPending, linkWhatsApp, seedAccount, settled } from './support/seed.js';

let wa: FakeWhatsApp;
let world: TestWorld;

beforeAll(async () => {
  wa = createFakeWhatsApp();
  // Receipts would move messages on to `delivered`: whatsapp-feedback.test.ts covers them.
  wa.modes.autoReceipts = false;
  world = await createTestWorld(
    { WHATSAPP_MIN_GAP_SECONDS: '0', PROVIDER_TIMEOUT_MS: '500' },
    { whatsappSocketFactory: wa.factory, whatsappIdleMs: 300 },
  );
  await world.context.start();
});

afterAll(async () => {
  await world.teardown();
});

async function linkedAccount() {
  const account = await seedAccount(world.context);
  await linkWhatsApp(world.context, account);
  return account;
}

/** A contact to a number on WhatsApp, through the real queue and worker: its message id. */
async function whatsAppContact(accountId: string, phone: string, context = world.context): Promise<string> {
  wa.onWhatsApp.add(phone.slice(1));
  return contact(context, { accountId, phone, channel: 'whatsapp_text' });
}

const slots = async (accountId: string) =>
  (
    await world.context.sql<
      { reserved: number }[]
    >`select reserved from account_daily_sends where account_id = ${accountId}`
  )[0]?.reserved;

/** What a closed session left: disconnected, creds forgotten or not, and the pause's reason. */
const closedSession = (accountId: string) => world.context.sql`
  select s.is_disconnected, s.credentials is null as forgotten, p.reason_code
  from whatsapp_sessions s join account_channel_pauses p using (account_id) where s.account_id = ${accountId}`;

/** Hours left on the account's WhatsApp pause for this reason, if any. */
const pausedHours = async (accountId: string, reason = 'WHATSAPP_REACHOUT_TIME_LOCK') =>
  (
    await world.context.sql<{ hours: number }[]>`
      select round(extract(epoch from paused_until - now()) / 3600)::int as hours from account_channel_pauses
      where account_id = ${accountId} and reason_code = ${reason}`
  )[0]?.hours;

describe('WhatsApp delivery', () => {
  it('checks the number, sends from the account socket and records the message key id', async () => {
    const account = await linkedAccount();
    wa.onWhatsApp.add('33612345678');
    const id = await contact(world.context, {
      accountId: account.id,
      phone: '+33612345678',
      channel: 'whatsapp_text',
      text: 'Bonjour',
    });
    const sent = await settled(world.context.sql, id);
    expect(sent).toMatchObject({ status: 'sent', credit_state: 'none' });
    expect(wa.sent.at(-1)).toMatchObject({
      account: account.whatsappDigits,
      jid: '33612345678@s.whatsapp.net',
      text: 'Bonjour',
      id: sent.external_id,
    });
    expect(
      await world.context.sql`select is_connected from whatsapp_sessions where account_id = ${account.id}`,
    ).toEqual([{ is_connected: true }]);
  });

  it('fails a recipient who is not on WhatsApp as a recipient failure and frees the daily slot', async () => {
    const account = await linkedAccount();
    const id = await contact(world.context, { accountId: account.id, phone: '+33612340000', channel: 'whatsapp_text' });
    expect(await settled(world.context.sql, id)).toMatchObject({
      status: 'failed',
      error_code: 'WHATSAPP_NOT_ON_WHATSAPP',
    });
    expect(await slots(account.id)).toBe(0);
    expect(await world.context.sql`select 1 from account_channel_pauses where account_id = ${account.id}`).toHaveLength(
      0,
    );
  });

  it('pauses WhatsApp for 24 hours after error 463 and fails the refused message', async () => {
    const account = await linkedAccount();
    wa.onWhatsApp.add('33612345690');
    wa.timeLocked.add('33612345690');
    const created = await createPending(world.context, {
      accountId: account.id,
      phone: '+33612345690',
      channel: 'whatsapp_text',
    });
    if (!created.created) throw new Error(created.reason);
    const id = created.messageId;
    // A hunt's contact: it holds a place in the hunt's day.
    const [hunt] = await world.context.sql<{ id: string }[]>`
      insert into hunts (account_id, name, daily_pacing_limit) values (${account.id}, 'h', 5) returning id`;
    await world.context.sql`update messages set hunt_id = ${hunt!.id} where id = ${id}`;
    await world.context.sql`
      insert into hunt_daily_contacts (hunt_id, local_date, contacts, daily_limit)
      values (${hunt!.id}, '2026-11-30', 1, 5)`;
    await dispatchMessage(world.context.queues, ALWAYS_OPEN, {
      id,
      accountId: account.id,
      channel: 'whatsapp_text',
      recipientPhone: created.recipientPhone,
    });
    await settled(world.context.sql, id);
    await expect.poll(() => pausedHours(account.id)).toBe(24);
    // The recipient never got it: failed, and its ad is not burned on WhatsApp (the sender is to blame).
    await expect
      .poll(
        async () =>
          await world.context.sql`
          select m.status, m.error_code, m.failure_blame,
                 exists (select 1 from contacted_ads c
                         where c.account_id = m.account_id and c.ad_id = m.ad_id) as contacted
          from messages m where m.id = ${id}`,
      )
      .toEqual([
        { status: 'failed', error_code: 'WHATSAPP_REACHOUT_TIME_LOCK', failure_blame: 'sender', contacted: false },
      ]);
    // It reached nobody: its place in the hunt's day comes back, as for other setup failures.
    expect(await world.context.sql`select contacts from hunt_daily_contacts where hunt_id = ${hunt!.id}`).toEqual([
      { contacts: 0 },
    ]);
  });

  it('pauses WhatsApp for 24 hours when WhatsApp caps new chats (message-capping.update CAPPED)', async () => {
    const account = await linkedAccount();
    wa.capNewChats(account.whatsappDigits, 'CAPPED');
    // The fake holds the notification while the account is offline and hands it over on connect.
    await world.context.whatsapp.listen(account.id);
    await expect.poll(() => pausedHours(account.id, 'WHATSAPP_NEW_CHATS_CAPPED')).toBe(24);
  });

  it('marks a logged-out session disconnected, forgets its creds, pauses the channel until linked again', async () => {
    const account = await linkedAccount();
    const id = await whatsAppContact(account.id, '+33612345691');
    await settled(world.context.sql, id);
    const socket = wa.sockets.findLast((s) => s.account === account.whatsappDigits && !s.isClosed)!;
    socket.disconnect(401);
    await expect
      .poll(() => closedSession(account.id))
      .toEqual([{ is_disconnected: true, forgotten: true, reason_code: 'WHATSAPP_LOGGED_OUT' }]);

    // Linked again (a new QR scanned): once the session opens, the pause ends and sending resumes.
    await linkWhatsApp(world.context, account);
    await world.context.whatsapp.listen(account.id);
    await expect
      .poll(async () => world.context.sql`select 1 from account_channel_pauses where account_id = ${account.id}`)
      .toEqual([]);
    const again = await whatsAppContact(account.id, '+33612345680');
    expect(await settled(world.context.sql, again)).toMatchObject({ status: 'sent' });
  });

  it('forgets the creds after 411 (multi-device mismatch), so linking again shows a QR code', async () => {
    const account = await linkedAccount();
    await settled(world.context.sql, await whatsAppContact(account.id, '+33612345695'));
    wa.sockets.findLast((s) => s.account === account.whatsappDigits && !s.isClosed)!.disconnect(411);
    await expect
      .poll(() => closedSession(account.id))
      .toEqual([{ is_disconnected: true, forgotten: true, reason_code: 'WHATSAPP_RELINK_REQUIRED' }]);
    expect(await world.context.whatsapp.link(account.id)).toEqual({ qr: expect.stringMatching(/^2@/) as string });
  });

  it('never holds two sockets for one account across worker processes, and still sends everything', async () => {
    const account = await linkedAccount();
    const second = world.addProcess();
    await second.start();
    const phones = Array.from({ length: 12 }, (_, i) => `+3361234${String(5700 + i)}`);
    for (const p of phones) wa.onWhatsApp.add(p.slice(1));
    const ids = await Promise.all(
      phones.map((phone, i) =>
        contact(i % 2 ? second : world.context, { accountId: account.id, phone, channel: 'whatsapp_text' }),
      ),
    );
    for (const id of ids) expect(await settled(world.context.sql, id, 30_000)).toMatchObject({ status: 'sent' });
    expect(wa.maxConcurrent(account.whatsappDigits)).toBe(1);
    expect(new Set(wa.sent.filter((s) => s.account === account.whatsappDigits).map((s) => s.jid)).size).toBe(12);
  });

  it('reconnects on the next send after a transient close (503)', async () => {
    const account = await linkedAccount();
    const first = await whatsAppContact(account.id, '+33612345692');
    await settled(world.context.sql, first);
    wa.sockets.findLast((s) => s.account === account.whatsappDigits && !s.isClosed)?.disconnect(503);
    const second = await whatsAppContact(account.id, '+33612345693');
    expect(await settled(world.context.sql, second)).toMatchObject({ status: 'sent' });
    expect(await world.context.sql`select 1 from account_channel_pauses where account_id = ${account.id}`).toHaveLength(
      0,
    );
  });

  it('marks a send unconfirmed within PROVIDER_TIMEOUT_MS as uncertain, and does not retry it', async () => {
    const account = await linkedAccount();
    wa.onWhatsApp.add('33612345694');
    // Longer than the wait below: only the worker's own bound ends the send.
    wa.modes.sendHangsMs = 60_000;
    try {
      const id = await contact(world.context, {
        accountId: account.id,
        phone: '+33612345694',
        channel: 'whatsapp_text',
      });
      expect(await settled(world.context.sql, id)).toMatchObject({
        status: 'uncertain',
        error_code: 'WHATSAPP_SEND_UNCONFIRMED',
      });
    } finally {
      wa.modes.sendHangsMs = null;
    }
  });

  it('stops at the daily cap per sending account', async () => {
    const capped = await createTestWorld({ WHATSAPP_DAILY_CAP: '2' }, { whatsappSocketFactory: wa.factory });
    try {
      const account = await seedAccount(capped.context);
      const attempt = (phone: string) =>
        createPending(capped.context, { accountId: account.id, phone, channel: 'whatsapp_text' });
      const results = await Promise.all(['+33612000001', '+33612000002', '+33612000003', '+33612000004'].map(attempt));
      expect(results.filter((r) => r.created)).toHaveLength(2);
      expect(results.filter((r) => !r.created && r.reason === 'DAILY_CAP_REACHED')).toHaveLength(2);
    } finally {
      await capped.teardown();
    }
  });
});

describe('opt-out', () => {
  it('a STOP reply suppresses the number for every account; other replies do not', async () => {
    const account = await linkedAccount();
    const other = await seedAccount(world.context);
    await settled(world.context.sql, await whatsAppContact(account.id, '+33612345801'));
    wa.reply(account.whatsappDigits, '33612345802', 'Bonjour, toujours dispo ?');
    wa.reply(account.whatsappDigits, '33612345801', 'Arrêt');
    wa.reply(account.whatsappDigits, '33612345803', 'STOP', { asLid: true });
    await expect
      .poll(async () =>
        (
          await world.context.sql<
            { phone_number: string }[]
          >`select phone_number from suppressed_phone_numbers order by 1`
        ).map((r) => r.phone_number),
      )
      .toEqual(['+33612345801', '+33612345803']);
    expect(await createPending(world.context, { accountId: other.id, phone: '+33612345801', channel: 'sms' })).toEqual({
      created: false,
      reason: 'SUPPRESSED',
    });
  });
});

describe('linking an account', () => {
  it('gives a QR code, then survives the restart WhatsApp forces after the scan and stores the creds', async () => {
    const account = await seedAccount(world.context);
    const linked = await world.context.whatsapp.link(account.id);
    expect(linked).toEqual({ qr: expect.stringMatching(/^2@/) as string });
    const socket = wa.sockets.findLast((s) => s.account === 'unlinked' && !s.isClosed)!;
    socket.completeLinking(account.whatsappDigits);
    await expect
      .poll(
        async () => world.context.sql`select is_connected from whatsapp_sessions where account_id = ${account.id}`,
        { timeout: 5_000 },
      )
      .toEqual([{ is_connected: true }]);
    const auth = await loadDatabaseAuthState(world.context.sql, account.id, world.context.env.WHATSAPP_ENCRYPTION_KEY);
    expect(auth.state.creds).toMatchObject({
      registered: true,
      me: { id: `${account.whatsappDigits}:1@s.whatsapp.net` },
    });
    expect(await world.context.whatsapp.link(account.id)).toEqual({ alreadyLinked: true });
  });

  it('gives an 8-character pairing code for a phone number', async () => {
    const account = await seedAccount(world.context);
    const linked = await world.context.whatsapp.link(account.id, '+33698765432');
    expect(linked).toEqual({ pairingCode: expect.stringMatching(/^[1-9A-HJ-NP-TV-Z]{8}$/) as string });
  });
});

describe('shutdown', () => {
  it('ends every WhatsApp socket cleanly and frees the leases', async () => {
    const local = await createTestWorld(
      { WHATSAPP_MIN_GAP_SECONDS: '0' },
      { whatsappSocketFactory: wa.factory, whatsappIdleMs: 60_000 },
    );
    await local.context.start();
    const account = await seedAccount(local.context);
    await linkWhatsApp(local.context, account);
    await settled(local.context.sql, await whatsAppContact(account.id, '+33612345699', local.context));
    const socket = wa.sockets.findLast((s) => s.account === account.whatsappDigits)!;
    expect(socket.isClosed).toBe(false);
    const redis = local.context.redis;
    expect(await redis.exists(`${local.queuePrefix.prefix}:whatsapp-lease:${account.id}`)).toBe(1);
    await local.context.whatsapp.closeAll();
    expect(socket.isClosed).toBe(true);
    expect(await redis.exists(`${local.queuePrefix.prefix}:whatsapp-lease:${account.id}`)).toBe(0);
    await local.teardown();
  });
});
