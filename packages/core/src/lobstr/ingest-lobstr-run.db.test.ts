import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createTestDatabase,
  generateLobstrResults,
  startFakeLobstr,
  type FakeLobstr,
  type TestDatabase,
} from '@auto-prospect/testkit';
import { createDatabase, type Sql } from '../db/client.js';
import { PermanentError, TransientError } from '../errors.js';
import { createLogger } from '../logging/logger.js';
import { createLobstrClient } from './lobstr-client.js';
import { ingestLobstrRun } from './ingest-lobstr-run.js';

const runId = (n: number) => n.toString(16).padStart(32, '0');
const SQUID = '8177beb16fdf4e0e8d4b2ba767d1ffb5';
let db: TestDatabase;
let sql: Sql;
let fake: FakeLobstr;
let deps: Parameters<typeof ingestLobstrRun>[0];

beforeAll(async () => {
  db = await createTestDatabase();
  sql = createDatabase(db.url, { max: 4 });
  // Tests raise Lobstr's 2 requests/second on both sides to keep a 50-page run short.
  fake = await startFakeLobstr({ apiKey: 'key', resultsPerSecond: 100 });
  deps = {
    sql,
    lobstr: createLobstrClient({ baseUrl: fake.baseUrl, apiKey: 'key', resultsPerSecond: 90 }),
    logger: createLogger('silent'),
  };
});

afterAll(async () => {
  await fake.close();
  await sql.end();
  await db.drop();
});

const ingest = (id: string) => ingestLobstrRun(deps, { lobstrRunId: id, finalAttempt: false });

async function rejection(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(
    () => undefined,
    (err: unknown) => err,
  );
}

describe('ingestLobstrRun', () => {
  const generated = generateLobstrResults(5000);

  it('saves every valid ad of a 5,000-ad run once, with correct columns, and counts the rejected ones', async () => {
    const [account] = await sql<{ id: string }[]>`insert into accounts (email) values ('a@b.fr') returning id`;
    await sql`
      insert into hunts (account_id, name, lobstr_squid_id)
      values (${account!.id}, 'fed', ${SQUID}), (${account!.id}, 'other', 'ffffffffffffffffffffffffffffffff')`;
    fake.runs.set(runId(1), { id: runId(1), squid: SQUID, status: 'done', results: generated.results });

    const result = await ingest(runId(1));

    expect(result).toMatchObject({
      status: 'completed',
      pagesDone: 50,
      saved: generated.valid.size,
      updated: 0,
      duplicates: generated.duplicates,
      rejected: generated.rejected.unknown_location + generated.rejected.unknown_ad_type,
      rejectedReasons: generated.rejected,
      huntsScanned: 1,
    });
    const rows = await sql<
      {
        original_ad_id: string;
        phone_number: string | null;
        has_phone: boolean;
        zipcode: string;
        price: number;
        brand_id: number | null;
      }[]
    >`
      select a.original_ad_id, a.phone_number, a.has_phone, l.zipcode, a.price, a.brand_id
      from ads a join locations l on l.id = a.location_id`;
    expect(rows).toHaveLength(generated.valid.size);
    for (const row of rows) {
      const expected = generated.valid.get(row.original_ad_id)!;
      expect({
        phone: row.phone_number,
        has: row.has_phone,
        zip: row.zipcode,
        price: row.price,
        brand: row.brand_id !== null,
      }).toEqual({
        phone: expected.phone,
        has: expected.phone !== null,
        zip: expected.zipcode,
        price: expected.price,
        brand: expected.brandKnown,
      });
    }
    const [run] = await sql`
      select status, ads_saved, ads_rejected, ads_duplicates, pages_done, finished_at
      from lobstr_runs where id = ${runId(1)}`;
    expect(run).toMatchObject({ status: 'completed', ads_saved: generated.valid.size, pages_done: 50 });
    const hunts = await sql<
      { name: string; scanned: boolean }[]
    >`select name, last_scan_at is not null as scanned from hunts order by name`;
    expect(hunts).toEqual([
      { name: 'fed', scanned: true },
      { name: 'other', scanned: false },
    ]);
  });

  it('changes nothing when the same run is ingested again', async () => {
    const before = await sql`select max(updated_at) as at, count(*)::int as n from ads`;
    const served = fake.resultPagesServed();
    expect(await ingest(runId(1))).toEqual({ status: 'already_completed' });
    expect(await sql`select max(updated_at) as at, count(*)::int as n from ads`).toEqual(before);
    expect(fake.resultPagesServed()).toBe(served);
  });

  it('updates what Lobstr knows on a re-scrape but never what the user set', async () => {
    await sql`
      update ads set favourite = true, is_whatsapp_phone = true where original_ad_id in ('3000000000', '3000000010')`;
    const repriced = generated.results.map((r) => ({ ...r, price: Number(r.price) + 100 }));
    fake.runs.set(runId(2), { id: runId(2), squid: SQUID, status: 'done', results: repriced });

    const result = await ingest(runId(2));

    expect(result).toMatchObject({ status: 'completed', saved: 0, updated: generated.valid.size });
    const kept = await sql`
      select favourite, is_whatsapp_phone, price from ads where original_ad_id in ('3000000000', '3000000010')
      order by original_ad_id`;
    expect(kept).toEqual([
      { favourite: true, is_whatsapp_phone: true, price: generated.valid.get('3000000000')!.price + 100 },
      { favourite: true, is_whatsapp_phone: true, price: generated.valid.get('3000000010')!.price + 100 },
    ]);
  });

  it('resumes after a fault midway without duplicating or losing ads', async () => {
    const fresh = generateLobstrResults(1000, { idPrefix: '40' });
    fake.runs.set(runId(3), { id: runId(3), squid: SQUID, status: 'done', results: fresh.results });
    fake.faults.push({ page: 7, status: 500, times: 1 });
    const served = fake.resultPagesServed();

    expect(await rejection(ingest(runId(3)))).toBeInstanceOf(TransientError);
    expect(await sql`select status, error_code, pages_done from lobstr_runs where id = ${runId(3)}`).toEqual([
      { status: 'ingesting', error_code: 'LOBSTR_SERVER_ERROR', pages_done: 5 },
    ]);

    expect(await ingest(runId(3))).toMatchObject({ status: 'completed', saved: fresh.valid.size, pagesDone: 10 });
    // Pages 1–6, then 6–10 again from the checkpoint after page 5.
    expect(fake.resultPagesServed() - served).toBe(11);
    const [count] = await sql<{ n: number }[]>`select count(*)::int as n from ads where original_ad_id like '40%'`;
    expect(count!.n).toBe(fresh.valid.size);
  });

  it('resumes after a failed write from the last chunk written, whatever was read beyond it', async () => {
    // 20 pages in chunks of 5: the database refuses an ad of the second chunk while the third is read.
    const fresh = generateLobstrResults(2000, { idPrefix: '60' });
    fake.runs.set(runId(8), { id: runId(8), squid: SQUID, status: 'done', results: fresh.results });
    const refused = [...fresh.valid.keys()].find((id) => id >= '6000000600')!;
    await sql.unsafe(`alter table ads add constraint refused_once check (original_ad_id <> '${refused}')`);

    expect(await rejection(ingest(runId(8)))).toMatchObject({ constraint_name: 'refused_once' });
    const [stopped] = await sql<
      { pages_done: number; ads_saved: number }[]
    >`select pages_done, ads_saved from lobstr_runs where id = ${runId(8)}`;
    const [firstChunk] = await sql<{ n: number }[]>`select count(*)::int as n from ads where original_ad_id like '60%'`;
    expect(stopped).toEqual({ pages_done: 5, ads_saved: firstChunk!.n });

    await sql`alter table ads drop constraint refused_once`;
    expect(await ingest(runId(8))).toMatchObject({
      status: 'completed',
      pagesDone: 20,
      saved: fresh.valid.size,
      updated: 0,
      duplicates: fresh.duplicates,
      rejected: fresh.rejected.unknown_location + fresh.rejected.unknown_ad_type,
      rejectedReasons: fresh.rejected,
    });
    const [count] = await sql<{ n: number }[]>`select count(*)::int as n from ads where original_ad_id like '60%'`;
    expect(count!.n).toBe(fresh.valid.size);
  });

  it('fails for good, saying why, when the run does not exist or the key is refused', async () => {
    expect(await rejection(ingest(runId(404)))).toMatchObject({
      code: 'LOBSTR_NOT_FOUND',
      constructor: PermanentError,
    });
    const wrongKey = { ...deps, lobstr: createLobstrClient({ baseUrl: fake.baseUrl, apiKey: 'revoked' }) };
    await sql`insert into lobstr_runs (id) values (${runId(5)})`;
    expect(await rejection(ingestLobstrRun(wrongKey, { lobstrRunId: runId(5), finalAttempt: false }))).toMatchObject({
      code: 'LOBSTR_UNAUTHORIZED',
    });
    expect(await sql`select status, error_code from lobstr_runs where id = ${runId(5)}`).toEqual([
      { status: 'failed', error_code: 'LOBSTR_UNAUTHORIZED' },
    ]);
  });

  it('waits for a run that is not done yet, and refuses one that ended in error', async () => {
    fake.runs.set(runId(6), { id: runId(6), squid: SQUID, status: 'uploading', results: [] });
    expect(await rejection(ingest(runId(6)))).toMatchObject({
      code: 'LOBSTR_RUN_NOT_DONE',
      constructor: TransientError,
    });
    fake.runs.set(runId(7), { id: runId(7), squid: SQUID, status: 'error', results: [] });
    expect(await rejection(ingest(runId(7)))).toMatchObject({
      code: 'LOBSTR_RUN_NOT_SUCCESSFUL',
      constructor: PermanentError,
    });
  });
});
