// A setup pause ends when the account's setup changes, whoever writes `accounts`: the web app
// writes it as the signed-in user, whom row-level security keeps away from the pauses.
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestDatabase } from '@auto-prospect/testkit';
import type { Sql } from '../db/client.js';
import { createAccountTestDatabase } from '../db/account-test-database.js';

let db: TestDatabase;
let sql: Sql;
let accountId: string;
// Roles belong to the whole server: one of this test's own, dropped after it.
const webUser = `ap_web_user_${randomBytes(4).toString('hex')}`;

beforeAll(async () => {
  ({ db, sql, accountId } = await createAccountTestDatabase(2));
  await sql.unsafe(`create role ${webUser}; grant usage on schema public to ${webUser};
                    grant select, update on public.accounts to ${webUser}`);
});

afterAll(async () => {
  await sql.unsafe(`drop owned by ${webUser}; drop role ${webUser}`).catch(() => {});
  await sql.end();
  await db.drop();
});

describe('a setup pause', () => {
  it('ends when a user without rights on the pauses stores a new SMS key', async () => {
    await sql`
      insert into account_channel_pauses (account_id, channel, reason_code, reason)
      values (${accountId}, 'sms', 'SMS_KEY_REVOKED', 'revoked')`;
    await sql.begin(async (tx) => {
      await tx.unsafe(`set local role ${webUser}`);
      await tx`update accounts set sms_api_key = 'a-new-encrypted-key' where id = ${accountId}`;
    });
    expect(await sql`select 1 from account_channel_pauses where account_id = ${accountId}`).toEqual([]);
  });
});
