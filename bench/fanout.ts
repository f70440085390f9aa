// bench/fanout: a daily run fanning out N active hunts (keyset pages → daily_run_hunts rows →
// addBulk of hunt jobs) against a bare addBulk of the same N jobs (same queue options, ids, data
// and chunks), in the same process. N is 100,000 unless given (`pnpm bench fanout 10000`): the RSS
// growth at two sizes shows whether memory follows the number of hunts.
import { randomBytes, randomUUID } from 'node:crypto';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import {
  createLogger,
  fetchActiveHunts,
  JOB_IDS,
  JOB_OPTIONS,
  JOBS,
  LIMITS,
  QUEUES,
  type FetchActiveHuntsDeps,
} from '@auto-prospect/core';
import { createDatabase, type Sql } from '@auto-prospect/core/clients';
import { createQueues, type Queues } from '@auto-prospect/worker/queues';
import { dispatchHunts, redispatchHunts } from '@auto-prospect/worker/dispatch';
import { withBenchDatabase } from './support/bench-database.js';
import { itemsPerSecond, ROUNDS, memoryGrowth, sizeArgument, summary } from './support/measure.js';

const HUNTS = sizeArgument(100_000);

/** One measured pass: the jobs it added and the milliseconds its own work took. */
interface PassResult {
  items: number;
  ms: number;
}
type Pass = () => Promise<PassResult>;

// Every pass is a new daily run: a local date no pass used before.
let day = 0;
const nextLocalDate = () => new Date(Date.UTC(2027, 0, 1 + day++)).toISOString().slice(0, 10);

await withBenchDatabase(async (url) => {
  const sql = createDatabase(url);
  const redis = new Redis(process.env.REDIS_URL!, { maxRetriesPerRequest: null });
  const prefix = `bench${randomBytes(4).toString('hex')}`;
  const logger = createLogger('silent');
  const queues = createQueues(redis, prefix, logger);
  const bare = new Queue(`${QUEUES.processHunt}-bare`, {
    connection: redis,
    prefix,
    defaultJobOptions: { ...JOB_OPTIONS.processHunt },
  });
  const deps: FetchActiveHuntsDeps = {
    sql,
    logger,
    dispatchHunts: (runId, localDate, ids) => dispatchHunts(queues, runId, localDate, ids),
    redispatchHunts: (runId, localDate, ids) => redispatchHunts(queues, runId, localDate, ids),
  };
  try {
    const huntIds = await seedHunts(sql);
    await compare(
      () => fanOut(deps, queues),
      () => bareAddBulk(bare, huntIds),
    );
  } finally {
    await Promise.all([...Object.values(queues), bare].map((q) => q.obliterate({ force: true }).then(() => q.close())));
    redis.disconnect();
    await sql.end();
  }
});

/** One account with HUNTS active hunts; returns their ids. */
async function seedHunts(sql: Sql): Promise<string[]> {
  const [account] = await sql<{ id: string }[]>`insert into accounts (email) values ('bench@example.com') returning id`;
  await sql`
    insert into hunts (account_id, name)
    select ${account!.id}, 'hunt ' || n from generate_series(1, ${HUNTS}) n`;
  // As autovacuum would soon after a bulk load: without statistics every keyset page sorts all hunts.
  await sql`analyze hunts`;
  return (await sql<{ id: string }[]>`select id from hunts order by id`).map((r) => r.id);
}

// Each pass starts from an empty queue (and no run rows), emptied before it, not while measured.
async function fanOut(deps: FetchActiveHuntsDeps, queues: Queues): Promise<PassResult> {
  await queues.processHunt.obliterate({ force: true });
  await deps.sql`truncate daily_runs cascade`;
  const started = performance.now();
  const { hunts } = await fetchActiveHunts(deps, nextLocalDate());
  const ms = performance.now() - started;
  if (hunts !== HUNTS) throw new Error(`fanned out ${hunts} hunts, expected ${HUNTS}`);
  return { items: hunts, ms };
}

async function bareAddBulk(bare: Queue, huntIds: readonly string[]): Promise<PassResult> {
  await bare.obliterate({ force: true });
  const dailyRunId = randomUUID();
  const localDate = nextLocalDate();
  const started = performance.now();
  for (let i = 0; i < huntIds.length; i += LIMITS.fanoutChunk) {
    await bare.addBulk(
      huntIds.slice(i, i + LIMITS.fanoutChunk).map((huntId) => ({
        name: JOBS.processHunt,
        data: { huntId, localDate, dailyRunId },
        opts: { jobId: JOB_IDS.hunt(dailyRunId, huntId) },
      })),
    );
  }
  return { items: huntIds.length, ms: performance.now() - started };
}

async function compare(fanOutPass: Pass, bareAddBulkPass: Pass): Promise<void> {
  // Untimed first passes (also the warm-up): how far each side raises RSS. The fan-out goes first,
  // from where the process stands after setup; the bare side then finds the heap already grown.
  const fanOutMemory = await memoryGrowth(fanOutPass);
  const bareGrowth = (await memoryGrowth(bareAddBulkPass)).growthMb;

  const ratios: number[] = [];
  const rates: number[] = [];
  for (let round = 0; round < ROUNDS; round++) {
    const bareRate = await itemsPerSecond(bareAddBulkPass);
    const fanOutRate = await itemsPerSecond(fanOutPass);
    ratios.push(bareRate / fanOutRate);
    rates.push(fanOutRate);
  }
  console.log(
    `fanout: ${HUNTS} hunts, time ratio to a bare addBulk ${summary(ratios)} (median, range of ${ROUNDS} rounds); ` +
      `${summary(rates, 0)} hunts/s; RSS growth ${fanOutMemory.growthMb.toFixed(0)} MB, ` +
      `heap retained once collected ${fanOutMemory.retainedMb.toFixed(1)} MB ` +
      `(then bare addBulk ${bareGrowth.toFixed(0)} MB)`,
  );
}
