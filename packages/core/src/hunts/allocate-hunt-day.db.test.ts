// A hunt's day meets a writer outside the account's lock (the web app) between its selection and
// its insert: the refused page allocates nothing, the next page is selected again and the day
// still gets its contacts. And the hunt's limit is the one it has once the lock is held, and a
// lock held too long sends the hunt away to try later.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '@auto-prospect/testkit';
import { createDatabase, type Sql } from '../db/client.js';
import { lockAccountAllocation } from '../messages/account-allocation-lock.js';
import { ALWAYS_OPEN } from '../schedule/sending-window.js';
import { allocateHuntDay } from './allocate-hunt-day.js';
import type { AllocationTarget } from './allocation-room.js';
import type { PlannedChannel } from './hunt-plan.js';

let db: TestDatabase;
let sql: Sql;
let target: AllocationTarget;
let channels: PlannedChannel[];

const deps = { window: ALWAYS_OPEN, spacingMs: { sms: 0, whatsapp_text: 0, ringless_voice: 0 } };
const idOf = async (rows: Promise<readonly { id: string }[]>) => (await rows)[0]!.id;

beforeAll(async () => {
  db = await createTestDatabase();
  sql = createDatabase(db.url, { max: 2 });
  const accountId = await idOf(
    sql<{ id: string }[]>`insert into accounts (email) values ('day@example.com') returning id`,
  );
  await sql`insert into credit_balances (account_id, sms) values (${accountId}, 10)`;
  const huntId = await idOf(sql<{ id: string }[]>`
    insert into hunts (account_id, name, type_id, daily_pacing_limit)
    values (${accountId}, 'h', (select id from ad_types where lobstr_value = 'Voiture'), 3) returning id`);
  const templateId = await idOf(sql<{ id: string }[]>`
    insert into message_templates (account_id, name, channel, content)
    values (${accountId}, 't', 'sms', 'Bonjour {vendeur_nom}') returning id`);
  await sql`
    insert into ads (original_ad_id, type_id, phone_number, owner_name)
    select 'day-' || n, (select id from ad_types where lobstr_value = 'Voiture'), '+3361300000' || n, 'Jean'
    from generate_series(1, 5) n`;
  target = { huntId, accountId, localDate: '2026-11-30', dailyRunId: null, whatsappDailyCap: 0 };
  channels = [{ channel: 'sms', templateId, template: 'Bonjour {vendeur_nom}' }];
});

afterAll(async () => {
  await sql.end();
  await db.drop();
});

describe('allocateHuntDay', () => {
  it('selects again after a page refused by a writer outside the lock, and plans its day', async () => {
    // The first insert into messages is refused as a unique index would refuse it (a sequence is
    // not rolled back with the refused page, so only the first one is).
    await sql.unsafe(`
      create sequence refused_inserts;
      create function refuse_first_insert() returns trigger language plpgsql as $$
      begin
        if nextval('refused_inserts') = 1 then
          raise exception 'taken meanwhile' using errcode = 'unique_violation';
        end if;
        return null;
      end $$;
      create trigger refuse_first_insert before insert on messages
        for each statement execute function refuse_first_insert();`);
    const { planned } = await sql.begin((tx) => allocateHuntDay(tx, deps, target, channels));
    expect(planned).toBe(3);
    const [row] = await sql<{ refused: string; messages: number; reserved: number; counted: number }[]>`
      select (select last_value from refused_inserts)::text as refused,
             (select count(*)::int from messages) as messages,
             (select sms_reserved from credit_balances) as reserved,
             (select contacts from hunt_daily_contacts) as counted`;
    expect(row).toEqual({ refused: '2', messages: 3, reserved: 3, counted: 3 });
  });

  it('plans with the limit the hunt has once the account lock is held, not the one read before', async () => {
    const day = { ...target, localDate: '2026-12-01' };
    const holder = await sql.reserve();
    try {
      // Another writer of the account holds its lock while the hunt's limit is lowered to 1.
      await holder`begin`;
      await lockAccountAllocation(holder, target.accountId);
      const allocation = sql.begin((tx) => allocateHuntDay(tx, deps, day, channels));
      await holder`update hunts set daily_pacing_limit = 1 where id = ${target.huntId}`;
      await holder`commit`;
      expect((await allocation).planned).toBe(1);
    } finally {
      holder.release();
    }
    expect(await sql`select contacts, daily_limit from hunt_daily_contacts where local_date = '2026-12-01'`).toEqual([
      { contacts: 1, daily_limit: 1 },
    ]);
  });

  it('gives up on a lock held too long (ALLOCATION_BUSY), writing nothing; row locks wait as before', async () => {
    const day = { ...target, localDate: '2026-12-02' };
    const holder = await sql.reserve();
    try {
      // A stuck transaction of the account: the hunt waits its lockWaitMs, not for ever.
      await holder`begin`;
      await lockAccountAllocation(holder, target.accountId);
      const busy = sql.begin((tx) => allocateHuntDay(tx, { ...deps, lockWaitMs: 200 }, day, channels));
      await expect(busy).rejects.toMatchObject({ code: 'ALLOCATION_BUSY' });
      await holder`rollback`;
    } finally {
      holder.release();
    }
    expect(await sql`select 1 from messages where local_date = '2026-12-02'`).toHaveLength(0);
    const timeout = await sql.begin(async (tx) => {
      await lockAccountAllocation(tx, target.accountId, 200);
      return (await tx<{ lock_timeout: string }[]>`show lock_timeout`)[0]!.lock_timeout;
    });
    expect(timeout).toBe('0');
    expect((await sql.begin((tx) => allocateHuntDay(tx, { ...deps, lockWaitMs: 200 }, day, channels))).planned).toBe(1);
  });
});
