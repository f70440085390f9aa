// bench/webhook: the Lobstr webhook under load — autocannon, 100 connections, in a process of its
// own — against a bare Fastify route answering the same POSTs with 202, in this process. Three
// requests of the real app: run.done (a new run each time: its row, then its ingest job), an
// ignored event, a wrong token. The real app is built as the worker builds it (logger at info,
// writing nowhere), with WEBHOOK_RATE_LIMIT_PER_MINUTE at its maximum, 1,000,000, so the limit
// (still counted in Redis: the requests of one turn of the event loop in one call) throttles none
// of this load.
import { spawn } from 'node:child_process';
import { Writable } from 'node:stream';
import Fastify from 'fastify';
import { createLogger, parseEnv, ROUTES } from '@auto-prospect/core';
import { createTestQueuePrefix, testEnv } from '@auto-prospect/testkit';
import { createContext } from '@auto-prospect/worker/context';
import { withBenchDatabase } from './support/bench-database.js';
import { MIN_SIDE_MS, ROUNDS, summary } from './support/measure.js';

const CONNECTIONS = 100;
const SQUID = '8177beb16fdf4e0e8d4b2ba767d1ffb5';
const runDone = JSON.stringify({
  id: '<id>',
  object: 'run',
  event: 'run.done',
  squid: { id: SQUID, name: 'Leboncoin' },
  timestamp: '2026/11/28 08:32:31',
});
const running = runDone.replace('run.done', 'run.running');

interface Load {
  requestsPerSecond: number;
  p99Ms: number;
  errors: number;
  timeouts: number;
  statusCodes: Record<string, { count: number }>;
}

function load(url: string, body: string): Promise<Load> {
  const args = JSON.stringify({ url, connections: CONNECTIONS, seconds: MIN_SIDE_MS / 1000, body });
  const child = spawn(process.execPath, ['--import', 'tsx', 'support/load.ts', args], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let out = '';
  child.stdout.on('data', (chunk: Buffer) => {
    out += chunk.toString();
  });
  return new Promise((resolve, reject) =>
    child.on('close', (code) =>
      code === 0 ? resolve(JSON.parse(out) as Load) : reject(new Error(`load generator exited with ${code}`)),
    ),
  );
}

/** The load's answers must all be `status`: a refused or failed request would not be measuring the path. */
function expectStatus(run: Load, status: number, what: string): Load {
  const other = Object.entries(run.statusCodes).filter(([code]) => Number(code) !== status);
  if (other.length > 0 || run.errors > 0 || run.timeouts > 0) throw new Error(`${what}: ${JSON.stringify(run)}`);
  return run;
}

await withBenchDatabase(async (url) => {
  const queuePrefix = createTestQueuePrefix();
  const env = parseEnv(
    testEnv({ DATABASE_URL: url, QUEUE_PREFIX: queuePrefix.prefix, WEBHOOK_RATE_LIMIT_PER_MINUTE: '1000000' }),
  );
  const nowhere = new Writable({ write: (_chunk, _encoding, done) => done() });
  const context = createContext(env, createLogger('info', nowhere));
  const bare = Fastify();
  bare.post(ROUTES.lobstrWebhook, async (request, reply) =>
    reply.code(202).send({ runId: (request.body as { id: string }).id }),
  );
  try {
    const appUrl = await context.app.listen({ port: 0, host: '127.0.0.1' });
    const bareUrl = await bare.listen({ port: 0, host: '127.0.0.1' });
    const path = (base: string, token: string) => `${base}${ROUTES.lobstrWebhook.replace(':token', token)}`;

    const rows = {
      done: [] as number[],
      ignored: [] as number[],
      wrongToken: [] as number[],
      p99: [] as number[],
      bareP99: [] as number[],
    };
    let accepted = 0;
    for (let round = 0; round < ROUNDS; round++) {
      const baseline = expectStatus(await load(path(bareUrl, 'x'), runDone), 202, 'bare route');
      const done = expectStatus(await load(path(appUrl, env.LOBSTR_WEBHOOK_TOKEN), runDone), 202, 'run.done');
      const ignored = expectStatus(await load(path(appUrl, env.LOBSTR_WEBHOOK_TOKEN), running), 200, 'ignored event');
      const wrongToken = expectStatus(
        await load(path(appUrl, 'not-the-token-at-all-0000000'), runDone),
        401,
        'wrong token',
      );
      rows.done.push(done.requestsPerSecond / baseline.requestsPerSecond);
      rows.ignored.push(ignored.requestsPerSecond / baseline.requestsPerSecond);
      rows.wrongToken.push(wrongToken.requestsPerSecond / baseline.requestsPerSecond);
      rows.p99.push(done.p99Ms);
      rows.bareP99.push(baseline.p99Ms);
      accepted += done.statusCodes['202']!.count;
    }
    // Every 202 stands for a recorded run and its ingest job (requests still in flight when a load
    // ended were answered but not counted by it).
    const [recorded] = await context.sql<{ n: number }[]>`select count(*)::int as n from lobstr_runs`;
    const jobs = Object.values(await context.queues.scraping.getJobCounts()).reduce((a, b) => a + b, 0);
    if (recorded!.n < accepted || jobs !== recorded!.n)
      throw new Error(`${accepted} accepted, ${recorded!.n} runs recorded, ${jobs} jobs`);

    console.log(
      `webhook: req/s ratio to a bare Fastify route at ${CONNECTIONS} connections ` +
        `(median, range of ${ROUNDS} rounds): ` +
        `run.done ${summary(rows.done)} with p99 ${summary(rows.p99, 0)} ms (bare ${summary(rows.bareP99, 0)} ms); ` +
        `ignored event ${summary(rows.ignored)}; wrong token ${summary(rows.wrongToken)}`,
    );
  } finally {
    await bare.close();
    await context.close();
    await queuePrefix.clear();
  }
});
