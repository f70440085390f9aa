// bench/ingest: Lobstr ingestion, full path (fake Lobstr on loopback → HTTP → mapping → chunked
// upsert with checkpoints → Postgres) against a raw chunked multi-row INSERT of the same rows into
// the same `ads` table (its keys, indexes and foreign keys), emptied before each run, both in this
// process on the same server. Both are credited with the rows they write. The fake Lobstr runs in
// a process of its own, as Lobstr does, with its 2 requests/second limit lifted: either would
// measure Lobstr, not us. N results (20,000 unless given: `pnpm bench ingest 50000`); the RSS
// growth of one run of N shows what memory does.
import {
  AD_ROW_COLUMNS,
  createLobstrClient,
  createLogger,
  ingestLobstrRun,
  LIMITS,
  loadReferenceLookups,
  mapLobstrResult,
} from '@auto-prospect/core';
import { createDatabase } from '@auto-prospect/core/clients';
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { generateLobstrResults } from '@auto-prospect/testkit';
import { withBenchDatabase } from './support/bench-database.js';
import { itemsPerSecond, ROUNDS, memoryGrowth, sizeArgument, summary } from './support/measure.js';

const RESULTS = sizeArgument(20_000);
const runId = (n: number) => n.toString(16).padStart(32, '0');
/** Starts support/lobstr-process.ts: its base URL, a way to add a finished run, and to stop it. */
async function startLobstrProcess(): Promise<{ baseUrl: string; addRun(id: string): Promise<void>; stop(): void }> {
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', '--conditions=source', 'support/lobstr-process.ts', String(RESULTS)],
    { stdio: ['pipe', 'pipe', 'inherit'] },
  );
  const lines = createInterface({ input: child.stdout })[Symbol.asyncIterator]();
  const nextLine = async () => {
    const line = await lines.next();
    if (line.done) throw new Error('the fake Lobstr process stopped');
    return line.value;
  };
  return {
    baseUrl: await nextLine(),
    async addRun(id) {
      child.stdin.write(`${id}\n`);
      if ((await nextLine()) !== id) throw new Error(`the fake Lobstr process did not add run ${id}`);
    },
    stop: () => child.stdin.end(),
  };
}

/** What the full path writes: the valid results, the last of each ad. */
function expectedRows(results: Record<string, unknown>[], refs: Parameters<typeof mapLobstrResult>[1]) {
  return [
    ...new Map(
      results.flatMap((r) => {
        const mapped = mapLobstrResult(r, refs);
        return mapped.ok ? [[mapped.ad.original_ad_id, mapped.ad] as const] : [];
      }),
    ).values(),
  ];
}

type Pass = () => Promise<{ items: number; ms: number }>;

/** ROUNDS timed rounds, the raw INSERT first in each: the full path's rate and its ratio to the raw one. */
async function timedRounds(fullPath: Pass, rawInsert: Pass): Promise<{ ratios: number[]; rates: number[] }> {
  const ratios: number[] = [];
  const rates: number[] = [];
  for (let round = 0; round < ROUNDS; round++) {
    const rawRate = await itemsPerSecond(rawInsert);
    const fullRate = await itemsPerSecond(fullPath);
    ratios.push(fullRate / rawRate);
    rates.push(fullRate);
  }
  return { ratios, rates };
}

await withBenchDatabase(async (url) => {
  const sql = createDatabase(url);
  const fake = await startLobstrProcess();
  const deps = {
    sql,
    lobstr: createLobstrClient({ baseUrl: fake.baseUrl, apiKey: 'bench', resultsPerSecond: 1_000_000 }),
    logger: createLogger('silent'),
  };
  try {
    const generated = generateLobstrResults(RESULTS);
    const rows = expectedRows(generated.results, await loadReferenceLookups(sql));

    let runs = 0;
    const fullPath = async () => {
      await sql`truncate ads cascade`;
      const id = runId(++runs);
      await fake.addRun(id);
      const started = performance.now();
      const result = await ingestLobstrRun(deps, { lobstrRunId: id, finalAttempt: true });
      const ms = performance.now() - started;
      if (result.status !== 'completed' || result.saved !== rows.length)
        throw new Error(`saved ${JSON.stringify(result)}, expected ${rows.length}`);
      return { items: result.saved, ms };
    };
    const rawInsert = async () => {
      await sql`truncate ads cascade`;
      const started = performance.now();
      for (let i = 0; i < rows.length; i += LIMITS.adsUpsertChunk) {
        await sql`insert into ads ${sql(rows.slice(i, i + LIMITS.adsUpsertChunk), AD_ROW_COLUMNS)}`;
      }
      return { items: rows.length, ms: performance.now() - started };
    };

    // Untimed first passes (also the warm-up): how far each raises RSS (the fake's results are
    // already held). The full path goes first; the raw INSERT then finds the heap already grown.
    const fullGrowth = (await memoryGrowth(fullPath)).growthMb;
    const rawGrowth = (await memoryGrowth(rawInsert)).growthMb;

    const { ratios, rates } = await timedRounds(fullPath, rawInsert);
    console.log(
      `ingest: ${RESULTS} results (${rows.length} ads written), ` +
        `rate ratio to a raw chunked INSERT ${summary(ratios)} (median, range of ${ROUNDS} rounds); ` +
        `${summary(rates, 0)} ads/s; ` +
        `RSS growth ${fullGrowth.toFixed(0)} MB (then raw INSERT ${rawGrowth.toFixed(0)} MB)`,
    );
  } finally {
    fake.stop();
    await sql.end();
  }
});
