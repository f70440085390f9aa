// Recording a sent message: each record of one account's concurrent sends counts once; a second moves nothing.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestDatabase } from '@auto-prospect/testkit';
import type { Sql } from '../db/client.js';
import { createAccountTestDatabase } from '../db/account-test-database.js';
import { recordSent, type ClaimedMessage } from './message-ledger.js';

let db: TestDatabase;
let sql: Sql;
let accountId: string;
let adSeq = 0;

beforeAll(async () => {
  ({ db, sql, accountId } = await createAccountTestDatabase(4));
  await sql`insert into credit_balances (account_id, sms, sms_reserved) values (${accountId}, 100, 10)`;
});

afterAll(async () => {
  await sql.end();
  await db.drop();
});

/** An SMS claimed for sending, its credit reserved. */
async function claimedSms(): Promise<ClaimedMessage> {
  const phone = `+3361${String(++adSeq).padStart(7, '0')}`;
  const [ad] = await sql<{ id: string }[]>`
    insert into ads (original_ad_id, phone_number, has_phone) values (${`ad-${adSeq}`}, ${phone}, true) returning id`;
  const [m] = await sql<{ id: string }[]>`
    insert into messages (account_id, ad_id, channel, recipient_phone, status, credit_state)
    values (${accountId}, ${ad!.id}, 'sms', ${phone}, 'sending', 'reserved') returning id`;
  return {
    id: m!.id,
    accountId,
    adId: ad!.id,
    huntId: null,
    templateId: null,
    channel: 'sms',
    content: 'x',
    recipientPhone: phone,
    localDate: null,
    dailyRunId: null,
  };
}

describe('recordSent', () => {
  it('records concurrent sends of one account each once: credit consumed, usage row, lead', async () => {
    const messages = await Promise.all(Array.from({ length: 6 }, () => claimedSms()));
    const moved = await Promise.all(messages.map((m, i) => recordSent(sql, m, `ext-${i}`)));
    expect(moved).toEqual(messages.map(() => true));
    // A second record of the same sends (a retry) moves nothing.
    expect(await Promise.all(messages.map((m) => recordSent(sql, m, 'again')))).toEqual(messages.map(() => false));

    const ids = sql.array(messages.map((m) => m.id));
    const rows = await sql<{ status: string; credit_state: string; external_id: string; lead_id: string | null }[]>`
      select status, credit_state, external_id, lead_id from messages where id = any(${ids}::uuid[]) order by id`;
    expect(rows.every((r) => r.status === 'sent' && r.credit_state === 'consumed' && r.lead_id !== null)).toBe(true);
    expect(rows.map((r) => r.external_id).sort()).toEqual(messages.map((_, i) => `ext-${i}`).sort());
    const [balance] = await sql`select sms, sms_reserved from credit_balances where account_id = ${accountId}`;
    expect(balance).toEqual({ sms: 94, sms_reserved: 4 });
    const usage = await sql<{ balance_after: number }[]>`
      select balance_after from credit_transactions where message_id = any(${ids}::uuid[]) and type = 'usage'
      order by balance_after desc`;
    expect(usage.map((u) => u.balance_after)).toEqual([99, 98, 97, 96, 95, 94]);
    const [contacted] = await sql<{ n: number }[]>`
      select count(*)::int as n from contacted_ads where account_id = ${accountId}`;
    expect(contacted!.n).toBe(6);
  });
});
