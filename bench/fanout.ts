// bench/fanout: a daily run fanning out 100,000 active hunts (keyset pages → daily_run_hunts rows
// → addBulk of hunt jobs) against a bare addBulk of 100,000 jobs in the same chunks, same process.
import { randomBytes } from 'node:crypto';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import postgres from 'postgres';
import { createLogger, fanOutDailyRun, JOBS, LIMITS, QUEUES } from '@auto-prospect/core';
import { createQueues } from '@auto-prospect/worker/queues';
import { dispatchHunts, redispatchHunts } from '@auto-prospect/worker/dispatch';
import { measurePeaks, withBenchDatabase } from './support/bench-database.js';

const HUNTS = 100_000;

await withBenchDatabase(async (url) => {
  const sql = postgres(url, { max: 4, onnotice: () => {} });
  const redis = new Redis(process.env.REDIS_URL!, { maxRetriesPerRequest: null });
  const prefix = `bench${randomBytes(4).toString('hex')}`;
  const logger = createLogger('silent');
  const queues = createQueues(redis, prefix, logger);
  const bare = new Queue(`${QUEUES.hunts}-bare`, { connection: redis, prefix });
  try {
    const [account] = await sql<{ id: string }[]>`insert into accounts (email) values ('bench@example.com') returning id`;
    await sql`insert into hunts (account_id, name) select ${account!.id}, 'hunt ' || n from generate_series(1, ${HUNTS}) n`;

    const bareStarted = performance.now();
    for (let i = 0; i < HUNTS; i += LIMITS.fanoutChunk) {
      await bare.addBulk(Array.from({ length: Math.min(LIMITS.fanoutChunk, HUNTS - i) }, (_, k) => ({
        name: JOBS.processHunt, data: { huntId: `h${i + k}`, localDate: '2026-11-30', dailyRunId: null }, opts: { jobId: `bare-${i + k}` },
      })));
    }
    const bareMs = performance.now() - bareStarted;

    global.gc?.();
    const fullStarted = performance.now();
    const { result, peakRssMb } = await measurePeaks(() => fanOutDailyRun({
      sql, logger, dispatchHunts: (runId, localDate, ids) => dispatchHunts(queues, runId, localDate, ids),
      redispatchHunts: (runId, localDate, ids) => redispatchHunts(queues, runId, localDate, ids),
    }, '2026-11-30'));
    const fullMs = performance.now() - fullStarted;
    if (result.hunts !== HUNTS) throw new Error(`fanned out ${result.hunts} hunts, expected ${HUNTS}`);

    console.log(`fanout: ${HUNTS} hunts in ${(fullMs / 1000).toFixed(1)} s vs bare addBulk ${(bareMs / 1000).toFixed(1)} s → ratio ${(fullMs / bareMs).toFixed(2)}; peak RSS ${peakRssMb.toFixed(0)} MB`);
  } finally {
    await Promise.all([...Object.values(queues), bare].map((q) => q.obliterate({ force: true }).then(() => q.close())));
    redis.disconnect();
    await sql.end();
  }
});
