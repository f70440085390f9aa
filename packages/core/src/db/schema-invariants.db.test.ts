// The invariants the worker relies on are enforced by the database itself, whatever the code.
import { spawnSync } from 'node:child_process';
import { resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, repoRoot, type TestDatabase } from '@auto-prospect/testkit';
import { isMobile, toE164 } from '../phone/phone-number.js';
import { createDatabase, type Sql } from './client.js';

let db: TestDatabase;
let sql: Sql;
let accountId: string;
let adId: string;
let huntId: string;

beforeAll(async () => {
  db = await createTestDatabase();
  sql = createDatabase(db.url, { max: 2 });
  accountId = await idOf(sql`insert into accounts (email) values ('dealer@example.com') returning id`);
  adId = await idOf(sql`
    insert into ads (original_ad_id, phone_number, has_phone)
    values ('3066299454', '+33612345678', true) returning id`);
  huntId = await idOf(sql`
    insert into hunts (account_id, name, daily_pacing_limit) values (${accountId}, 'Clio', 2) returning id`);
  await sql`insert into credit_balances (account_id, sms, ringless_voice) values (${accountId}, 1, 0)`;
});

afterAll(async () => {
  await sql.end();
  await db.drop();
});

async function idOf(insert: Promise<readonly { id?: unknown }[]>): Promise<string> {
  const [row] = await insert;
  return String(row!.id);
}

/** The Postgres error code a statement fails with. */
async function failureCode(statement: Promise<unknown>): Promise<string | undefined> {
  try {
    await statement;
  } catch (err) {
    return (err as { code?: string }).code;
  }
  return undefined;
}

const UNIQUE_VIOLATION = '23505';
const CHECK_VIOLATION = '23514';

describe('database invariants', () => {
  it(
    'one message per (account, ad, channel), ' + 'and one live message per (account, ad) whatever the channel',
    async () => {
      const insert = (channel: 'sms' | 'whatsapp_text') => sql`
      insert into messages (account_id, ad_id, channel, credit_state)
      values (${accountId}, ${adId}, ${channel}, ${channel === 'sms' ? 'reserved' : 'none'})`;
      await insert('sms');
      expect(await failureCode(insert('sms'))).toBe(UNIQUE_VIOLATION);
      expect(await failureCode(insert('whatsapp_text'))).toBe(UNIQUE_VIOLATION);
      // A failed contact is no longer live: it can be handed over to another channel.
      await sql`update messages set status = 'failed' where ad_id = ${adId} and channel = 'sms'`;
      await insert('whatsapp_text');
    },
  );

  it('one live message per (account, phone, local day), even about different ads', async () => {
    const [first, second] = [
      await idOf(sql`insert into ads (original_ad_id) values ('seller-1') returning id`),
      await idOf(sql`insert into ads (original_ad_id) values ('seller-2') returning id`),
    ];
    const insert = (ad: string, localDate: string) => sql`
      insert into messages (account_id, ad_id, channel, recipient_phone, local_date)
      values (${accountId}, ${ad}, 'whatsapp_text', '+33699000001', ${localDate})`;
    await insert(first, '2026-11-30');
    expect(await failureCode(insert(second, '2026-11-30'))).toBe(UNIQUE_VIOLATION);
    await insert(second, '2026-12-01');
  });

  it('no new message for an ad the account has in contacted_ads', async () => {
    const ad = await idOf(sql`insert into ads (original_ad_id) values ('contacted-before') returning id`);
    await sql`insert into contacted_ads (ad_id, account_id, channel) values (${ad}, ${accountId}, 'sms')`;
    expect(
      await failureCode(
        sql`insert into messages (account_id, ad_id, channel) values (${accountId}, ${ad}, 'whatsapp_text')`,
      ),
    ).toBe(UNIQUE_VIOLATION);
  });

  it(
    'knows whether a French phone is mobile exactly as libphonenumber does, ' + 'for ads written without the flag',
    async () => {
      const phones = Array.from({ length: 900 }, (_, i) => `+33${100 + i}123456`).filter((p) => toE164(p) === p);
      const rows = await sql<{ phone: string; mobile: boolean }[]>`
      select p as phone, french_phone_is_mobile(p) as mobile from unnest(${sql.array(phones)}::text[]) p`;
      expect(rows.filter((r) => r.mobile !== isMobile(r.phone))).toEqual([]);
      expect(rows.filter((r) => r.mobile).length).toBeGreaterThan(100);
      const ad = await idOf(
        sql`insert into ads (original_ad_id, phone_number) values ('classified', '+33142685300') returning id`,
      );
      await sql`update ads set phone_number = '+33612345678' where id = ${ad}`;
      const [row] = await sql<{ mobile: boolean }[]>`select phone_is_mobile as mobile from ads where id = ${ad}`;
      expect(row!.mobile).toBe(true);
    },
  );

  it('a credit usage is recorded at most once per message', async () => {
    const [message] = await sql<{ id: string }[]>`select id from messages where channel = 'sms'`;
    const usage = () => sql`
      insert into credit_transactions (account_id, type, channel, amount, balance_after, message_id)
      values (${accountId}, 'usage', 'sms', -1, 0, ${message!.id})`;
    await usage();
    expect(await failureCode(usage())).toBe(UNIQUE_VIOLATION);
  });

  it('balances and reservations never go negative nor above the balance', async () => {
    expect(await failureCode(sql`update credit_balances set sms = sms - 2 where account_id = ${accountId}`)).toBe(
      CHECK_VIOLATION,
    );
    await sql`update credit_balances set sms_reserved = 1 where account_id = ${accountId}`;
    expect(await failureCode(sql`update credit_balances set sms_reserved = 2 where account_id = ${accountId}`)).toBe(
      CHECK_VIOLATION,
    );
    expect(await failureCode(sql`update credit_balances set sms_reserved = -1 where account_id = ${accountId}`)).toBe(
      CHECK_VIOLATION,
    );
  });

  it('metered messages track their credit and WhatsApp never does', async () => {
    const ad2 = await idOf(sql`insert into ads (original_ad_id) values ('x-2') returning id`);
    expect(
      await failureCode(
        sql`insert into messages (account_id, ad_id, channel) values (${accountId}, ${ad2}, 'ringless_voice')`,
      ),
    ).toBe(CHECK_VIOLATION);
    expect(
      await failureCode(sql`
      insert into messages (account_id, ad_id, channel, credit_state)
      values (${accountId}, ${ad2}, 'whatsapp_text', 'reserved')`),
    ).toBe(CHECK_VIOLATION);
  });

  it("a hunt's daily contact count cannot exceed its limit", async () => {
    await sql`
      insert into hunt_daily_contacts (hunt_id, local_date, contacts, daily_limit)
      values (${huntId}, '2026-11-30', 2, 2)`;
    expect(
      await failureCode(sql`update hunt_daily_contacts set contacts = contacts + 1 where hunt_id = ${huntId}`),
    ).toBe(CHECK_VIOLATION);
  });

  it('daily runs are unique per local date and Lobstr runs per run id', async () => {
    await sql`insert into daily_runs (local_date) values ('2026-11-30')`;
    expect(await failureCode(sql`insert into daily_runs (local_date) values ('2026-11-30')`)).toBe(UNIQUE_VIOLATION);
    const runId = 'c39b1922a5424c3c84a7cb2ec731bc5f';
    await sql`insert into lobstr_runs (id) values (${runId})`;
    expect(await failureCode(sql`insert into lobstr_runs (id) values (${runId})`)).toBe(UNIQUE_VIOLATION);
  });

  it('suppressed phone numbers are unique E.164 numbers', async () => {
    await sql`insert into suppressed_phone_numbers (phone_number, reason) values ('+33612345678', 'STOP')`;
    expect(
      await failureCode(
        sql`insert into suppressed_phone_numbers (phone_number, reason) values ('+33612345678', 'STOP')`,
      ),
    ).toBe(UNIQUE_VIOLATION);
    expect(
      await failureCode(sql`insert into suppressed_phone_numbers (phone_number, reason) values ('0612345678', 'STOP')`),
    ).toBe(CHECK_VIOLATION);
  });

  it('reference data is seeded', async () => {
    const priorities = await sql`select channel, priority from channel_priorities order by priority`;
    expect(priorities.map((r) => r.channel as string)).toEqual(['ringless_voice', 'whatsapp_text', 'sms']);
    const [row] = await sql<{ count: number }[]>`select count(*)::int from locations where zipcode like '0%'`;
    expect(row!.count).toBeGreaterThan(5);
  });
});

describe('pnpm db:migrate', () => {
  it('is idempotent: running it again on a migrated database succeeds and changes nothing', () => {
    for (let i = 0; i < 2; i++) {
      const run = spawnSync(process.execPath, [resolve(repoRoot, 'scripts', 'db-migrate.mjs')], {
        env: { ...process.env, DATABASE_URL: db.url },
        encoding: 'utf8',
      });
      expect(run.status, run.stderr).toBe(0);
      expect(run.stdout + run.stderr).toMatch(/up to date/);
    }
  });
});
