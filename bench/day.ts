// bench/day: one whole daily run at scale, in DRY_RUN, through the real trigger route, queues and
// workers: 10,000 dealers with 30,000 active SMS hunts over 1,000,000 ads, generated in SQL, at
// 10 %, 50 % and 100 % of that size (or only the percentages given: `pnpm bench day 10`), each in
// a fresh database. Reports hunts/s (trigger → every hunt accounted), contacts/s (trigger → every
// planned message recorded) and the candidate query's time per hunt (p50, p95, max) measured
// after the run, one hunt at a time, for the next day's selection.
import {
  createLogger,
  encryptSecret,
  localDateOf,
  parseEnv,
  planCandidateQueries,
  ROUTES,
  selectCandidates,
} from '@auto-prospect/core';
import postgres from 'postgres';
import { createTestQueuePrefix, testEnv } from '@auto-prospect/testkit';
import { createContext, type WorkerContext } from '@auto-prospect/worker/context';
import { withBenchDatabase } from './support/bench-database.js';
import { seedAds, seedDealers, seedPlaces } from './support/day-pool.js';

const FULL = { dealers: 10_000, ads: 1_000_000 };
/** Hunts timed for the candidate query after the run: a sample, in a random order. */
const TIMED_HUNTS = 2_000;

const percentages = process.argv
  .slice(2)
  .filter((a) => /^\d+$/.test(a))
  .map(Number);
if (percentages.some((p) => p < 1 || p > 100))
  throw new Error(`bench/day takes percentages of its full size (1 to 100)`);
const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));

for (const percent of percentages.length > 0 ? percentages : [10, 50, 100]) {
  await withBenchDatabase((url) => dayAt(url, percent));
}

async function dayAt(url: string, percent: number): Promise<void> {
  const queuePrefix = createTestQueuePrefix();
  const env = parseEnv(
    testEnv({ DATABASE_URL: url, QUEUE_PREFIX: queuePrefix.prefix, DRY_RUN: 'true', SMS_MIN_GAP_SECONDS: '0' }),
  );
  const context = createContext(env, createLogger('silent'));
  try {
    const dealers = Math.round((FULL.dealers * percent) / 100);
    const ads = Math.round((FULL.ads * percent) / 100);
    const seeding = performance.now();
    await seedPlaces(context.sql);
    await seedAds(context.sql, ads);
    await seedDealers(context.sql, dealers, encryptSecret('bench-sms-key', env.SMS_API_KEY_ENCRYPTION_KEY));
    // As autovacuum would after a bulk load: statistics, and a visibility map for index-only reads.
    await context.sql`vacuum analyze`;
    const seeded = ((performance.now() - seeding) / 1000).toFixed(0);
    await context.start();
    const run = await runDay(context);
    const query = await candidateQueryMs(url, localDateOf(new Date(Date.now() + 86_400_000), 'Europe/Paris'));
    console.log(
      `day ${percent} %: ${dealers} dealers, ${run.hunts} hunts, ${ads} ads (generated in ${seeded} s); ` +
        `${(run.hunts / run.huntsSeconds).toFixed(0)} hunts/s, ` +
        `${run.contacts} contacts at ${(run.contacts / run.contactsSeconds).toFixed(0)} contacts/s; ` +
        `candidate query p50 ${query.p50.toFixed(1)} ms, p95 ${query.p95.toFixed(1)} ms, ` +
        `max ${query.max.toFixed(1)} ms`,
    );
  } finally {
    await context.close();
    await queuePrefix.clear();
  }
}

/** Triggers today's run as the API's caller would, then waits for its hunts and its messages. */
async function runDay(context: WorkerContext) {
  const started = performance.now();
  const trigger = await context.app.inject({
    method: 'POST',
    url: ROUTES.dailyRuns,
    headers: { authorization: `Bearer ${context.env.API_SECRET}` },
  });
  if (trigger.statusCode !== 202) throw new Error(`the run did not start: ${trigger.statusCode} ${trigger.body}`);
  const { runId } = trigger.json<{ runId: string }>();
  let hunts = 0;
  while (hunts === 0) {
    const [run] = await context.sql<{ status: string; total: number }[]>`
      select status, hunts_total as total from daily_runs where id = ${runId}`;
    if (run!.status === 'completed') hunts = run!.total;
    else await pause(100);
  }
  const huntsSeconds = (performance.now() - started) / 1000;
  for (;;) {
    const [open] = await context.sql<{ n: number }[]>`
      select count(*)::int as n from messages where status in ('pending', 'sending')`;
    if (open!.n === 0) break;
    await pause(100);
  }
  const contactsSeconds = (performance.now() - started) / 1000;
  const [done] = await context.sql<{ n: number }[]>`select count(*)::int as n from messages where status = 'dry_run'`;
  return { hunts, huntsSeconds, contacts: done!.n, contactsSeconds };
}

interface TimedHunt {
  id: string;
  accountId: string;
  limit: number;
  ms: number;
}

/**
 * The candidate query of a sample of hunts for `localDate`, one at a time, as a hunt's day runs it
 * (planCandidateQueries). With BENCH_EXPLAIN=1, prints the plan of the hunt at the 95th percentile.
 */
async function candidateQueryMs(url: string, localDate: string) {
  const notices: string[] = [];
  const sql = postgres(url, { max: 1, onnotice: (notice) => notices.push(notice.message!) });
  const select = (tx: postgres.TransactionSql, hunt: TimedHunt) =>
    selectCandidates(tx, {
      huntId: hunt.id,
      accountId: hunt.accountId,
      localDate,
      channels: ['sms'],
      limit: hunt.limit,
    });
  try {
    const hunts = await sql<TimedHunt[]>`
      select id, account_id as "accountId", daily_pacing_limit as limit, 0 as ms
      from hunts order by random() limit ${TIMED_HUNTS}`;
    for (const hunt of hunts) {
      await sql.begin(async (tx) => {
        await planCandidateQueries(tx);
        const started = performance.now();
        await select(tx, hunt);
        hunt.ms = performance.now() - started;
      });
    }
    hunts.sort((a, b) => a.ms - b.ms);
    const at = (q: number) => hunts[Math.min(hunts.length - 1, Math.floor(q * hunts.length))]!;
    if (process.env.BENCH_EXPLAIN) {
      await sql`load 'auto_explain'`;
      await sql.begin(async (tx) => {
        await planCandidateQueries(tx);
        await tx`
          select set_config('auto_explain.log_min_duration', '0', true),
                 set_config('auto_explain.log_analyze', 'on', true), set_config('auto_explain.log_buffers', 'on', true),
                 set_config('client_min_messages', 'log', true)`;
        await select(tx, at(0.95));
      });
      // The plan without the statement's text: from its first node on.
      const [plan] = notices.filter((n) => n.includes('with walked')).map((n) => n.split('\n'));
      console.log(
        `candidate query of the hunt at p95:\n` +
          plan!.slice(plan!.findIndex((l) => /^\S.*\(cost=/.test(l))).join('\n'),
      );
    }
    return { p50: at(0.5).ms, p95: at(0.95).ms, max: hunts.at(-1)!.ms };
  } finally {
    await sql.end();
  }
}
