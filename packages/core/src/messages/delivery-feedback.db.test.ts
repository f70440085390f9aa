import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestDatabase } from '@auto-prospect/testkit';
import type { Sql } from '../db/client.js';
import { createAccountTestDatabase } from '../db/account-test-database.js';
import { recordInboundMessage, recordReceipt } from './delivery-feedback.js';

let db: TestDatabase;
let sql: Sql;
let accountId: string;
let adSeq = 0;

beforeAll(async () => {
  ({ db, sql, accountId } = await createAccountTestDatabase(2));
});

afterAll(async () => {
  await sql.end();
  await db.drop();
});

/** A WhatsApp message the provider accepted, to `phone`. */
async function sentMessage(phone: string, externalId: string): Promise<string> {
  const [ad] = await sql<
    { id: string }[]
  >`insert into ads (original_ad_id, phone_number, has_phone) values (${`ad-${++adSeq}`}, ${phone}, true) returning id`;
  const [message] = await sql<{ id: string }[]>`
    insert into messages (account_id, ad_id, channel, recipient_phone, status, sent_at, external_id)
    values (${accountId}, ${ad!.id}, 'whatsapp_text', ${phone}, 'sent', now(), ${externalId}) returning id`;
  return message!.id;
}

const statusOf = async (id: string) =>
  (await sql<{ status: string }[]>`select status from messages where id = ${id}`)[0]!.status;

describe('receipts', () => {
  it('move a message forward only: read then a late delivered stays read', async () => {
    const id = await sentMessage('+33600000001', 'KEY-1');
    expect(await recordReceipt(sql, { accountId, externalId: 'KEY-1', status: 'read', at: new Date() })).toBe(id);
    expect(await recordReceipt(sql, { accountId, externalId: 'KEY-1', status: 'delivered', at: new Date() })).toBe(id);
    expect(await statusOf(id)).toBe('read');
    const [times] = await sql`select delivered_at, read_at from messages where id = ${id}`;
    expect(times!.delivered_at).not.toBeNull();
    expect(times!.read_at).not.toBeNull();
  });

  it('ignore an id the account never sent', async () => {
    expect(
      await recordReceipt(sql, { accountId, externalId: 'NOT-OURS', status: 'delivered', at: new Date() }),
    ).toBeNull();
  });

  it('cannot be undone by any writer: the schema refuses a step back', async () => {
    const id = await sentMessage('+33600000002', 'KEY-2');
    await recordReceipt(sql, { accountId, externalId: 'KEY-2', status: 'read', at: new Date() });
    await expect(sql`update messages set status = 'delivered' where id = ${id}`).rejects.toMatchObject({
      code: '23514',
    });
  });
});

describe('inbound messages', () => {
  const inbound = (phone: string, body: string, externalId: string) => ({
    accountId,
    channel: 'sms' as const,
    phone,
    body,
    receivedAt: new Date(),
    externalId,
  });

  it('a reply from a contacted person is stored once and marks the contact replied', async () => {
    const id = await sentMessage('+33600000003', 'KEY-3');
    expect(await recordInboundMessage(sql, inbound('+33600000003', 'Toujours dispo', 'guid-3'))).toEqual({
      outcome: 'reply',
      answersMessageId: id,
      optOut: false,
    });
    expect(await recordInboundMessage(sql, inbound('+33600000003', 'Toujours dispo', 'guid-3'))).toEqual({
      outcome: 'duplicate',
    });
    expect(await statusOf(id)).toBe('replied');
    expect(await sql`select 1 from inbound_messages where answers_message_id = ${id}`).toHaveLength(1);
  });

  it('STOP suppresses the number, contacted or not; other strangers are not kept', async () => {
    const id = await sentMessage('+33600000004', 'KEY-4');
    expect(await recordInboundMessage(sql, inbound('+33600000004', 'Stop', 'guid-4'))).toMatchObject({
      outcome: 'reply',
      optOut: true,
    });
    expect(await recordInboundMessage(sql, inbound('+33600000005', 'STOP', 'guid-5'))).toEqual({ outcome: 'opt_out' });
    expect(await recordInboundMessage(sql, inbound('+33600000006', 'Salut', 'guid-6'))).toEqual({ outcome: 'ignored' });
    const suppressed = await sql<{ phone_number: string }[]>`
      select phone_number from suppressed_phone_numbers
      where phone_number in ('+33600000004', '+33600000005', '+33600000006') order by 1`;
    expect(suppressed.map((r) => r.phone_number)).toEqual(['+33600000004', '+33600000005']);
    expect(await statusOf(id)).toBe('replied');
    expect(await sql`select 1 from inbound_messages where phone_number = '+33600000006'`).toHaveLength(0);
  });
});
