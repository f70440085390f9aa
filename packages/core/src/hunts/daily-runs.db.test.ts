// A run's totals follow its hunts by increments: hunts ending at once, on many connections, some
// of them twice, leave exact totals, and the run completes when the last one is accounted for.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '@auto-prospect/testkit';
import { createDatabase, type Sql } from '../db/client.js';
import { addActiveHuntsPage, ensureDailyRun, recordLostHunt, recordRunHunt, sealDailyRunHunts } from './daily-runs.js';

let db: TestDatabase;
let sql: Sql;
let huntIds: string[];
const HUNTS = 120;

beforeAll(async () => {
  db = await createTestDatabase();
  sql = createDatabase(db.url, { max: 10 });
  const [account] = await sql<{ id: string }[]>`insert into accounts (email) values ('run@example.com') returning id`;
  huntIds = (
    await sql<{ id: string }[]>`
      insert into hunts (account_id, name) select ${account!.id}, 'h' || n from generate_series(1, ${HUNTS}) n
      returning id`
  ).map((r) => r.id);
});

afterAll(async () => {
  await sql.end();
  await db.drop();
});

const runRow = async (id: string) =>
  (
    await sql<{ status: string; done: number; failed: number; total: number; finished: boolean }[]>`
      select status, hunts_done as done, hunts_failed as failed, hunts_total as total,
             finished_at is not null as finished
      from daily_runs where id = ${id}`
  )[0];

describe('daily run totals', () => {
  it('stay exact when hunts end concurrently, twice for some, and complete the run with its last hunt', async () => {
    const run = await ensureDailyRun(sql, '2026-11-30');
    for (let page = await addActiveHuntsPage(sql, run.id, null, 50); page.last;) {
      page = await addActiveHuntsPage(sql, run.id, page.last, 50);
    }
    const outcome = (status: 'completed' | 'failed') => ({ status, contactsPlanned: 1, skipped: {} });
    const [last, ...others] = huntIds;
    // Every fourth hunt fails; every tenth one is recorded twice at once (a duplicate job).
    await Promise.all(
      others.flatMap((huntId, i) => {
        const record = () => recordRunHunt(sql, run.id, huntId, outcome(i % 4 === 0 ? 'failed' : 'completed'));
        return i % 10 === 0 ? [record(), record()] : [record()];
      }),
    );
    await sealDailyRunHunts(sql, run.id);
    const failed = others.filter((_, i) => i % 4 === 0).length;
    expect(await runRow(run.id)).toEqual({
      status: 'running',
      done: HUNTS - 1 - failed,
      failed,
      total: HUNTS,
      finished: false,
    });

    // The last hunt is lost: the run completes; a retried hunt that now fails moves one count over.
    await recordLostHunt(sql, run.id, last!, 'stalled');
    expect(await runRow(run.id)).toEqual({
      status: 'completed',
      done: HUNTS - 1 - failed,
      failed: failed + 1,
      total: HUNTS,
      finished: true,
    });
    await recordRunHunt(sql, run.id, others[1]!, outcome('failed'));
    expect(await runRow(run.id)).toMatchObject({ status: 'completed', done: HUNTS - 2 - failed, failed: failed + 2 });
  });
});
