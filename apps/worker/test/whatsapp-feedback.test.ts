// WhatsApp receipts and replies through the real queue, workers and database, Baileys replaced by
// a fake that, like WhatsApp's servers, holds what arrives while the account is offline.
import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '@auto-prospect/core';
import { createFakeWhatsApp, type FakeWhatsApp } from '@auto-prospect/testkit';
import { createTestWorld, type TestWorld } from './support/test-context.js';
import { contact, linkWhatsApp, seedAccount, settled, type SeededAccount } from './support/seed.js';

let wa: FakeWhatsApp;
let world: TestWorld;
let logs = '';
let phoneSeq = 0;

beforeAll(async () => {
  wa = createFakeWhatsApp();
  const sink = new Writable({
    write: (chunk: Buffer, _enc, done) => {
      logs += chunk.toString();
      done();
    },
  });
  world = await createTestWorld(
    { WHATSAPP_MIN_GAP_SECONDS: '0', WHATSAPP_LISTEN_PERIOD_SECONDS: '1' },
    { whatsappSocketFactory: wa.factory, whatsappIdleMs: 300, logger: createLogger('debug', sink) },
  );
  await world.context.start();
});

afterAll(async () => {
  await world.teardown();
});

async function linkedAccount(): Promise<SeededAccount> {
  const account = await seedAccount(world.context);
  await linkWhatsApp(world.context, account);
  return account;
}

/** Sends one WhatsApp message to a fresh number on WhatsApp; resolves once it is recorded sent. */
async function sendTo(account: SeededAccount): Promise<{ id: string; digits: string; keyId: string }> {
  const digits = `336${String(40_000_000 + phoneSeq++)}`;
  wa.onWhatsApp.add(digits);
  const id = await contact(world.context, { accountId: account.id, phone: `+${digits}`, channel: 'whatsapp_text' });
  const sent = await settled(world.context.sql, id);
  return { id, digits, keyId: sent.external_id! };
}

const row = async (id: string) =>
  (
    await world.context.sql<{ status: string; delivered: boolean; read: boolean; replied: boolean }[]>`
  select status, delivered_at is not null as delivered, read_at is not null as read, replied_at is not null as replied
  from messages where id = ${id}`
  )[0]!;

const accountSocketClosed = (account: SeededAccount) =>
  expect
    .poll(() => wa.sockets.filter((s) => s.account === account.whatsappDigits).every((s) => s.isClosed), {
      timeout: 5_000,
    })
    .toBe(true);

describe('WhatsApp receipts', () => {
  it('move a sent message to delivered (3) then read (4), matched by key id', async () => {
    const account = await linkedAccount();
    wa.readers.add(`336${String(40_000_000 + phoneSeq)}`);
    const { id } = await sendTo(account);
    await expect.poll(() => row(id)).toEqual({ status: 'read', delivered: true, read: true, replied: false });
  });

  it('match by key id when the receipt names the recipient by @lid', async () => {
    const account = await linkedAccount();
    wa.lidRecipients.add(`336${String(40_000_000 + phoneSeq)}`);
    const { id } = await sendTo(account);
    await expect.poll(() => row(id)).toMatchObject({ status: 'delivered', delivered: true });
  });

  it('match by key id alone, even when Baileys does not mark the receipt fromMe', async () => {
    const account = await linkedAccount();
    wa.modes.autoReceipts = false;
    try {
      const { id, keyId } = await sendTo(account);
      wa.receipt(account.whatsappDigits, keyId, 3, { fromMe: false });
      await expect.poll(() => row(id)).toMatchObject({ status: 'delivered', delivered: true });
    } finally {
      wa.modes.autoReceipts = true;
    }
  });

  it('only move forward: read (4) then a late delivered (3) stays read', async () => {
    const account = await linkedAccount();
    wa.modes.autoReceipts = false;
    try {
      const { id, keyId } = await sendTo(account);
      wa.receipt(account.whatsappDigits, keyId, 4);
      await expect.poll(() => row(id)).toMatchObject({ status: 'read' });
      wa.receipt(account.whatsappDigits, keyId, 3);
      await expect.poll(() => row(id)).toEqual({ status: 'read', delivered: true, read: true, replied: false });
    } finally {
      wa.modes.autoReceipts = true;
    }
  });
});

describe('WhatsApp replies', () => {
  it(
    'a reply that arrives while the socket is closed is heard at the next listen, ' +
      'stored once, and marks the contact replied',
    async () => {
      const account = await linkedAccount();
      const { id, digits } = await sendTo(account);
      await accountSocketClosed(account);
      wa.reply(account.whatsappDigits, digits, 'Oui toujours dispo, appelez-moi');
      await expect.poll(() => row(id), { timeout: 10_000 }).toMatchObject({ status: 'replied', replied: true });
      const stored = await world.context.sql`
      select channel, phone_number, body, opt_out from inbound_messages where answers_message_id = ${id}`;
      expect(stored).toEqual([
        {
          channel: 'whatsapp_text',
          phone_number: `+${digits}`,
          body: 'Oui toujours dispo, appelez-moi',
          opt_out: false,
        },
      ]);
      expect(logs).not.toContain('appelez-moi');
    },
  );

  it('a STOP reply (by LID) suppresses the number and still marks the contact replied', async () => {
    const account = await linkedAccount();
    const { id, digits } = await sendTo(account);
    wa.reply(account.whatsappDigits, digits, 'Stop', { asLid: true });
    await expect.poll(() => row(id), { timeout: 10_000 }).toMatchObject({ status: 'replied' });
    expect(
      await world.context.sql`select 1 from suppressed_phone_numbers where phone_number = ${`+${digits}`}`,
    ).toHaveLength(1);
    expect(await world.context.sql`select opt_out from inbound_messages where answers_message_id = ${id}`).toEqual([
      { opt_out: true },
    ]);
  });

  it('a reply by @lid without remoteJidAlt finds its number through the LID pairs Baileys keeps', async () => {
    const account = await linkedAccount();
    const { id, digits } = await sendTo(account);
    wa.reply(account.whatsappDigits, digits, 'Toujours dispo', { asLid: true, withoutAlt: true });
    await expect.poll(() => row(id), { timeout: 10_000 }).toMatchObject({ status: 'replied', replied: true });
    expect(await world.context.sql`select phone_number from inbound_messages where answers_message_id = ${id}`).toEqual(
      [{ phone_number: `+${digits}` }],
    );
  });

  it('a text from someone the account never contacted is not kept', async () => {
    const account = await linkedAccount();
    const { id } = await sendTo(account);
    wa.reply(account.whatsappDigits, '33699999999', 'Bonjour, mon garage à moi');
    wa.reply(account.whatsappDigits, '33699999999', 'Bonjour, mon garage à moi');
    wa.reply(account.whatsappDigits, '33699999998', 'Bonjour', { asLid: true, withoutAlt: true });
    await new Promise((r) => setTimeout(r, 1_500));
    expect(await world.context.sql`select 1 from inbound_messages where account_id = ${account.id}`).toHaveLength(0);
    expect((await row(id)).status).not.toBe('replied');
  });
});
