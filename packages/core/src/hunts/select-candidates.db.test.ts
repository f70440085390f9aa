// Candidate selection walks a hunt's matching ads newest first and stops when the day has enough:
// a walk that falls short goes on, and the hunt's filters (resolved to constants first) keep
// their meaning.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '@auto-prospect/testkit';
import { createDatabase, type Sql } from '../db/client.js';
import { selectCandidates } from './select-candidates.js';

let db: TestDatabase;
let sql: Sql;
let accountId: string;

const idOf = async (rows: Promise<readonly { id: string }[]>) => (await rows)[0]!.id;

interface AdSpec {
  phone: string;
  daysAgo: number;
  location?: string;
  brand?: string;
  price?: number;
  urgent?: boolean;
}

async function seedAds(prefix: string, ads: AdSpec[]): Promise<void> {
  await sql`
    insert into ads (original_ad_id, type_id, phone_number, owner_name, last_publication_date, location_id,
                     brand_id, price, is_urgent)
    select ${prefix} || '-' || a.n, (select id from ad_types where lobstr_value = 'Voiture'), a.phone, 'Jean',
           current_date - a.days_ago, (select id from locations where zipcode = a.zipcode),
           (select id from brands where lobstr_value = a.brand), a.price, coalesce(a.urgent, false)
    from jsonb_to_recordset(${sql.json(ads.map((a, n) => ({ n, ...a, days_ago: a.daysAgo, zipcode: a.location })))})
      as a (n int, phone text, days_ago int, zipcode text, brand text, price int, urgent boolean)`;
}

async function seedHunt(fields: { limit: number; zipcode?: string; radius?: number; urgent?: boolean }) {
  return idOf(sql<{ id: string }[]>`
    insert into hunts (account_id, name, type_id, daily_pacing_limit, location_id, radius_in_km, is_urgent)
    values (${accountId}, 'h', (select id from ad_types where lobstr_value = 'Voiture'), ${fields.limit},
            (select id from locations where zipcode = ${fields.zipcode ?? null}), ${fields.radius ?? 50},
            ${fields.urgent ?? false})
    returning id`);
}

const select = (huntId: string, limit: number) =>
  selectCandidates(sql, { huntId, accountId, localDate: '2026-11-30', channels: ['sms'], limit });

beforeAll(async () => {
  db = await createTestDatabase();
  sql = createDatabase(db.url, { max: 2 });
  accountId = await idOf(sql<{ id: string }[]>`insert into accounts (email) values ('walk@example.com') returning id`);
  await sql`
    insert into locations (zipcode, name, lat, lng) values
      ('91000', 'Evry', 48.6293, 2.4410), ('45000', 'Orleans', 47.9030, 1.9093)
    on conflict do nothing`;
});

afterAll(async () => {
  await sql.end();
  await db.drop();
});

describe('selectCandidates', () => {
  it('walks further when the newest ads are one seller’s: the day still gets its limit', async () => {
    const prolific = '+33613000000';
    await seedAds('walk', [
      // more of this seller's ads than a first walk covers, all newer than anyone else's
      ...Array.from({ length: 60 }, () => ({ phone: prolific, daysAgo: 1 })),
      { phone: '+33613000001', daysAgo: 5 },
      { phone: '+33613000002', daysAgo: 6 },
      { phone: '+33613000003', daysAgo: 7 },
    ]);
    const huntId = await seedHunt({ limit: 3 });
    const page = await select(huntId, 3);
    expect(page.candidates.map((c) => c.phone)).toEqual([prolific, '+33613000001', '+33613000002']);
    // the seller's other ads wait for later days
    expect(page.candidates[0]!.sellerOtherAds).toBe(59);
  });

  it('classifies the phones SQL could not, so newest foreign landlines never fill an SMS page', async () => {
    await sql`insert into locations (zipcode, name, lat, lng) values ('13000', 'Marseille', 43.2965, 5.3698)`;
    // A writer other than ingestion stored foreign numbers without saying whether they are mobiles.
    const londonLandline = (n: number) => `+4420794600${String(n).padStart(2, '0')}`;
    await seedAds('foreign', [
      ...Array.from({ length: 30 }, (_, n) => ({ phone: londonLandline(n), daysAgo: 0, location: '13000' })),
      { phone: '+447911123456', daysAgo: 2, location: '13000' },
      { phone: '+33613000101', daysAgo: 3, location: '13000' },
      { phone: '+33613000102', daysAgo: 4, location: '13000' },
    ]);
    const huntId = await seedHunt({ limit: 2, zipcode: '13000', radius: 1 });
    const page = await select(huntId, 2);
    expect(page.candidates.map((c) => c.phone)).toEqual(['+447911123456', '+33613000101']);
    expect(
      await sql`
      select phone_is_mobile as mobile, count(*)::int as n from ads where original_ad_id like 'foreign-%'
      group by 1 order by 1`,
    ).toEqual([
      { mobile: false, n: 30 },
      { mobile: true, n: 3 },
    ]);
  });

  it('offers an ad again on a channel it failed on for the sender’s setup only, and not the same day', async () => {
    await sql`insert into locations (zipcode, name, lat, lng) values ('99061', 'Selection-sur-Mer', 43.7102, 7.262)`;
    const failures = [
      { phone: '+33615000001', blame: 'paused', day: '2026-11-29' }, // the channel was paused: open again
      { phone: '+33615000002', blame: 'sender', day: '2026-11-30' }, // a revoked key, today: one channel a day
      { phone: '+33615000003', blame: 'recipient', day: '2026-11-29' }, // the recipient: closed for good
      { phone: '+33615000004', blame: null, day: '2026-11-29' }, // recorded before blame was: closed
    ];
    await seedAds(
      'setup',
      failures.map((f) => ({ phone: f.phone, daysAgo: 1, location: '99061' })),
    );
    await sql`
      insert into messages
        (account_id, ad_id, channel, recipient_phone, status, credit_state, failure_blame, local_date)
      select ${accountId}, a.id, 'sms', a.phone_number, 'failed', 'released', f.blame, f.day::date
      from jsonb_to_recordset(${sql.json(failures)}) as f(phone text, blame text, day text)
      join ads a on a.phone_number = f.phone`;
    const huntId = await seedHunt({ limit: 10, zipcode: '99061', radius: 1 });
    expect((await select(huntId, 10)).candidates.map((c) => c.phone)).toEqual(['+33615000001']);
  });

  it('keeps a hunt to its radius, brands, price bounds and required flags', async () => {
    const inside = { location: '91000', brand: 'Peugeot', price: 9000, urgent: true };
    await seedAds('filters', [
      { phone: '+33614000001', daysAgo: 2, ...inside },
      { phone: '+33614000002', daysAgo: 1, ...inside, location: '45000' }, // ≈ 100 km from Paris
      { phone: '+33614000003', daysAgo: 1, ...inside, brand: 'Renault' },
      { phone: '+33614000004', daysAgo: 1, ...inside, price: 20000 },
      { phone: '+33614000005', daysAgo: 1, ...inside, urgent: false },
    ]);
    const huntId = await seedHunt({ limit: 10, zipcode: '75001', radius: 40, urgent: true });
    await sql`
      insert into brands_hunts (hunt_id, brand_id) select ${huntId}, id from brands where lobstr_value = 'Peugeot'`;
    await sql`update hunts set price_max = 10000 where id = ${huntId}`;
    expect((await select(huntId, 10)).candidates.map((c) => c.phone)).toEqual(['+33614000001']);
    await sql`update hunts set radius_in_km = 120 where id = ${huntId}`;
    expect((await select(huntId, 10)).candidates.map((c) => c.phone)).toEqual(['+33614000002', '+33614000001']);
  });
});
