// A hunt job postponed on its last attempt (its account's allocation lock held too long) is not
// recorded failed in its daily run: it runs again later, without using an attempt.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '@auto-prospect/testkit';
import { encryptSecret } from '../crypto/secret-box.js';
import { createDatabase, type Sql } from '../db/client.js';
import { createLogger } from '../logging/logger.js';
import { lockAccountAllocation } from '../messages/account-allocation-lock.js';
import { ALWAYS_OPEN } from '../schedule/sending-window.js';
import { processHunt, type ProcessHuntDeps } from './process-hunt.js';

const KEY = '0'.repeat(64);
let db: TestDatabase;
let sql: Sql;

beforeAll(async () => {
  db = await createTestDatabase();
  sql = createDatabase(db.url, { max: 3 });
});

afterAll(async () => {
  await sql.end();
  await db.drop();
});

const one = async (rows: Promise<readonly { id: string }[]>) => (await rows)[0]!.id;

describe('processHunt', () => {
  it('leaves a hunt postponed on its last attempt (ALLOCATION_BUSY) running in its daily run', async () => {
    const accountId = await one(sql<{ id: string }[]>`
      insert into accounts (email, sms_api_key)
      values ('busy@example.com', ${encryptSecret('key', KEY)}) returning id`);
    await sql`insert into credit_balances (account_id, sms) values (${accountId}, 10)`;
    const templateId = await one(sql<{ id: string }[]>`
      insert into message_templates (account_id, name, channel, content)
      values (${accountId}, 't', 'sms', 'Bonjour') returning id`);
    const huntId = await one(sql<{ id: string }[]>`
      insert into hunts (account_id, name, daily_pacing_limit, outreach_settings, template_ids)
      values (${accountId}, 'h', 5, ${sql.json({ sms: true })}, ${sql.json({ sms: templateId })}) returning id`);
    const dailyRunId = await one(sql<{ id: string }[]>`
      insert into daily_runs (local_date, hunts_total) values ('2026-11-30', 1) returning id`);
    const deps: ProcessHuntDeps = {
      sql,
      logger: createLogger('silent'),
      timeZone: 'Europe/Paris',
      smsKeyEncryptionKey: KEY,
      whatsappDailyCap: 20,
      dispatch: () => Promise.resolve(),
      window: ALWAYS_OPEN,
      spacingMs: { sms: 0, whatsapp_text: 0, ringless_voice: 0 },
      lockWaitMs: 200,
    };
    const holder = await sql.reserve();
    try {
      await holder`begin`;
      await lockAccountAllocation(holder, accountId);
      const input = { huntId, localDate: '2026-11-30', dailyRunId, finalAttempt: true };
      await expect(processHunt(deps, input)).rejects.toMatchObject({ code: 'ALLOCATION_BUSY' });
      await holder`rollback`;
    } finally {
      holder.release();
    }
    expect(await sql`select status from daily_run_hunts where hunt_id = ${huntId}`).toEqual([]);
    expect(await sql`select status, hunts_failed from daily_runs where id = ${dailyRunId}`).toEqual([
      { status: 'running', hunts_failed: 0 },
    ]);
  });
});
