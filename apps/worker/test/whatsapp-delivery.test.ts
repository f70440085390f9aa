// WhatsApp through the real queue and workers, Baileys replaced by a fake socket.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createFakeWhatsApp, type FakeWhatsApp } from '@auto-prospect/testkit';
import { createTestWorld, type TestWorld } from './support/test-context.js';
import { contact, linkWhatsApp, seedAccount, settled } from './support/seed.js';

let wa: FakeWhatsApp;
let world: TestWorld;

beforeAll(async () => {
  wa = createFakeWhatsApp();
  world = await createTestWorld({ WHATSAPP_MIN_GAP_SECONDS: '0' }, { whatsappSocketFactory: wa.factory, whatsappIdleMs: 300 });
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

const slots = async (accountId: string) =>
  (await world.context.sql<{ reserved: number }[]>`select reserved from account_daily_sends where account_id = ${accountId}`)[0]?.reserved;

describe('WhatsApp delivery', () => {
  it('checks the number, sends from the account socket and records the message key id', async () => {
    const account = await linkedAccount();
    wa.onWhatsApp.add('33612345678');
    const id = await contact(world.context, { accountId: account.id, phone: '+33612345678', channel: 'whatsapp_text', text: 'Bonjour' });
    const sent = await settled(world.context.sql, id);
    expect(sent).toMatchObject({ status: 'sent', credit_state: 'none' });
    expect(wa.sent.at(-1)).toMatchObject({ account: account.whatsappDigits, jid: '33612345678@s.whatsapp.net', text: 'Bonjour', id: sent.external_id });
    expect(await world.context.sql`select is_connected from whatsapp_sessions where account_id = ${account.id}`).toEqual([{ is_connected: true }]);
  });

  it('fails a recipient who is not on WhatsApp as a recipient failure and frees the daily slot', async () => {
    const account = await linkedAccount();
    const id = await contact(world.context, { accountId: account.id, phone: '+33612340000', channel: 'whatsapp_text' });
    expect(await settled(world.context.sql, id)).toMatchObject({ status: 'failed', error_code: 'WHATSAPP_NOT_ON_WHATSAPP' });
    expect(await slots(account.id)).toBe(0);
    expect(await world.context.sql`select 1 from account_channel_pauses where account_id = ${account.id}`).toHaveLength(0);
  });

  it('pauses WhatsApp for 24 hours after error 463', async () => {
    const account = await linkedAccount();
    wa.onWhatsApp.add('33612345690');
    wa.timeLocked.add('33612345690');
    const id = await contact(world.context, { accountId: account.id, phone: '+33612345690', channel: 'whatsapp_text' });
    await settled(world.context.sql, id);
    await expect.poll(async () => (await world.context.sql<{ hours: number }[]>`
      select round(extract(epoch from paused_until - now()) / 3600)::int as hours from account_channel_pauses
      where account_id = ${account.id} and reason_code = 'WHATSAPP_REACHOUT_TIME_LOCK'`)[0]?.hours).toBe(24);
  });

  it('marks a logged-out session disconnected, forgets its creds and pauses the channel', async () => {
    const account = await linkedAccount();
    wa.onWhatsApp.add('33612345691');
    const id = await contact(world.context, { accountId: account.id, phone: '+33612345691', channel: 'whatsapp_text' });
    await settled(world.context.sql, id);
    const socket = wa.sockets.findLast((s) => s.account === account.whatsappDigits && !s.isClosed)!;
    socket.disconnect(401);
    await expect.poll(async () => world.context.sql`
      select s.is_disconnected, s.credentials is null as forgotten, p.reason_code
      from whatsapp_sessions s join account_channel_pauses p using (account_id) where s.account_id = ${account.id}`)
      .toEqual([{ is_disconnected: true, forgotten: true, reason_code: 'WHATSAPP_LOGGED_OUT' }]);
  });

  it('never holds two sockets for one account across worker processes, and still sends everything', async () => {
    const account = await linkedAccount();
    const second = world.addProcess();
    await second.start();
    const phones = Array.from({ length: 12 }, (_, i) => `+3361234${String(5700 + i)}`);
    for (const p of phones) wa.onWhatsApp.add(p.slice(1));
    const ids = await Promise.all(phones.map((phone, i) => contact(i % 2 ? second : world.context, { accountId: account.id, phone, channel: 'whatsapp_text' })));
    for (const id of ids) expect(await settled(world.context.sql, id, 30_000)).toMatchObject({ status: 'sent' });
    expect(wa.maxConcurrent(account.whatsappDigits)).toBe(1);
    expect(new Set(wa.sent.filter((s) => s.account === account.whatsappDigits).map((s) => s.jid)).size).toBe(12);
  });
});
