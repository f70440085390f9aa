// A page of allocations meets writers it did not see when it selected (the web app, a manual
// contact): a page that meets what they took is not allocated, nothing is reserved for it,
// nothing throws; the next page goes through.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '@auto-prospect/testkit';
import { createDatabase, type Sql } from '../db/client.js';
import type { Channel } from '../channel.js';
import { allocateContacts, type AllocationWrite } from './allocate-contacts.js';
import type { Candidate } from './select-candidates.js';

let db: TestDatabase;
let sql: Sql;
let write: AllocationWrite;
let adCount = 0;

const idOf = async (rows: Promise<readonly { id: string }[]>) => (await rows)[0]!.id;

beforeAll(async () => {
  db = await createTestDatabase();
  sql = createDatabase(db.url, { max: 2 });
  const accountId = await idOf(
    sql<{ id: string }[]>`insert into accounts (email) values ('alloc@example.com') returning id`,
  );
  await sql`insert into credit_balances (account_id, sms) values (${accountId}, 10)`;
  const huntId = await idOf(
    sql<
      { id: string }[]
    >`insert into hunts (account_id, name, daily_pacing_limit) values (${accountId}, 'h', 10) returning id`,
  );
  const templateId = await idOf(sql<{ id: string }[]>`
    insert into message_templates (account_id, name, channel, content)
    values (${accountId}, 't', 'sms', 'Bonjour {vendeur_nom}') returning id`);
  write = {
    target: { huntId, accountId, localDate: '2026-11-30', dailyRunId: null, whatsappDailyCap: 0 },
    channels: [{ channel: 'sms', templateId, template: 'Bonjour {vendeur_nom}' }],
    nextSendAt: () => new Date('2026-11-30T09:00:00Z'),
    countAgainstHunt: { dailyLimit: 10 },
  };
});

afterAll(async () => {
  await sql.end();
  await db.drop();
});

async function newAd(): Promise<Candidate> {
  const phone = `+3361200${String(adCount++).padStart(4, '0')}`;
  const adId = await idOf(
    sql<
      { id: string }[]
    >`insert into ads (original_ad_id, phone_number) values (${`a-${phone}`}, ${phone}) returning id`,
  );
  return { adId, phone, mobile: true, closedChannels: [], sellerOtherAds: 0, values: { vendeur_nom: 'Jean' } };
}

const allocate = (candidates: Candidate[], channel: Channel = 'sms') =>
  sql.begin((tx) =>
    allocateContacts(
      tx,
      write,
      candidates.map((candidate) => ({ candidate, channel })),
    ),
  );

async function reserved() {
  const [row] = await sql<{ sms: number; hunt: number | null }[]>`
    select sms_reserved as sms, (select contacts from hunt_daily_contacts) as hunt from credit_balances`;
  return row!;
}

describe('allocateContacts', () => {
  it('writes the messages and reserves exactly what they use', async () => {
    const allocated = await allocate([await newAd(), await newAd()]);
    expect(allocated).toHaveLength(2);
    expect(await reserved()).toEqual({ sms: 2, hunt: 2 });
    const [message] = await sql`select content, status, credit_state from messages where id = ${allocated[0]!.id}`;
    expect(message).toEqual({ content: 'Bonjour Jean', status: 'pending', credit_state: 'reserved' });
  });

  it(
    'allocates nothing of a page that contains an ad another writer holds a live message for, ' + 'without throwing',
    async () => {
      const taken = await newAd();
      await sql`
      insert into messages (account_id, ad_id, channel, recipient_phone, local_date)
      values (${write.target.accountId}, ${taken.adId}, 'whatsapp_text', ${taken.phone}, '2026-11-29')`;
      expect(await allocate([await newAd(), taken])).toEqual([]);
      expect(await reserved()).toEqual({ sms: 2, hunt: 2 });
      // The next page, without it, goes through.
      expect(await allocate([await newAd()])).toHaveLength(1);
      expect(await reserved()).toEqual({ sms: 3, hunt: 3 });
    },
  );

  it('allocates nothing of a page that contains an ad contacted meanwhile, without throwing', async () => {
    const contacted = await newAd();
    await sql`
      insert into contacted_ads (ad_id, account_id, channel)
      values (${contacted.adId}, ${write.target.accountId}, 'sms')`;
    expect(await allocate([await newAd(), contacted])).toEqual([]);
    expect(await reserved()).toEqual({ sms: 3, hunt: 3 });
  });
});
