// Lobstr → webhook → scraping queue → worker → ads, through the real HTTP app, Redis and Postgres.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateLobstrResults, startFakeLobstr, testEnv, type FakeLobstr } from '@auto-prospect/testkit';
import { JOB_IDS, LIMITS, ROUTES } from '@auto-prospect/core';
import { createTestWorld, type TestWorld } from './support/test-context.js';

const TOKEN = testEnv().LOBSTR_WEBHOOK_TOKEN!;
const SQUID = '8177beb16fdf4e0e8d4b2ba767d1ffb5';
const runId = (n: number) => `feed${n.toString(16).padStart(28, '0')}`;
let fake: FakeLobstr;
let world: TestWorld;

beforeAll(async () => {
  fake = await startFakeLobstr({ apiKey: 'test-lobstr-key' });
  world = await createTestWorld({ LOBSTR_BASE_URL: fake.baseUrl });
});

afterAll(async () => {
  await world.teardown();
  await fake.close();
});

const post = (body: unknown, token = TOKEN, contentType = 'application/json') =>
  world.context.app.inject({
    method: 'POST',
    url: `/webhooks/lobstr/${token}`,
    headers: { 'content-type': contentType },
    payload: typeof body === 'string' ? body : JSON.stringify(body),
  });

const runDone = (id: string) => ({
  id,
  object: 'run',
  event: 'run.done',
  squid: { id: SQUID, name: 'Leboncoin' },
  timestamp: '2026/11/28 08:32:31',
});

async function scrapingJobs(): Promise<number> {
  const counts = await world.context.queues.scraping.getJobCounts();
  return Object.values(counts).reduce((a, b) => a + b, 0);
}

async function runRecord(id: string) {
  const [row] = await world.context.sql<{ status: string; attempts: number; ads_saved: number }[]>`
    select status, attempts, ads_saved from lobstr_runs where id = ${id}`;
  return row;
}

describe('POST /webhooks/lobstr/:token', () => {
  it('refuses bad requests with a reason and enqueues nothing for them', async () => {
    const wrongToken = await post(runDone(runId(1)), 'not-the-token-at-all-0000000');
    expect([wrongToken.statusCode, wrongToken.json()]).toEqual([
      401,
      { error: 'INVALID_TOKEN', message: 'unknown webhook token' },
    ]);
    // The token first: a caller without it learns nothing about the body.
    expect((await post('{"id": ', 'not-the-token-at-all-0000000')).statusCode).toBe(401);
    const malformed = await post('{"id": ');
    expect(malformed.statusCode).toBe(400);
    const empty = await post('');
    expect([empty.statusCode, empty.json<{ error: string }>().error]).toEqual([400, 'INVALID_PAYLOAD']);
    const missingId = await post({ event: 'run.done' });
    expect([missingId.statusCode, missingId.json<{ error: string }>().error]).toEqual([400, 'INVALID_PAYLOAD']);
    expect(missingId.json<{ message: string }>().message).toContain('id');
    expect((await post({ id: 'DROP TABLE ads', event: 'run.done' })).statusCode).toBe(400);
    const running = await post({ ...runDone(runId(1)), event: 'run.running' });
    expect([running.statusCode, running.json()]).toEqual([200, { ignored: true, event: 'run.running' }]);

    expect(await scrapingJobs()).toBe(0);
    expect(await world.context.sql`select id from lobstr_runs`).toHaveLength(0);
  });

  it('ingests a run once however often run.done is posted', async () => {
    const generated = generateLobstrResults(300);
    fake.runs.set(runId(2), { id: runId(2), squid: SQUID, status: 'done', results: generated.results });
    await world.context.start();

    for (let i = 0; i < 3; i++) {
      const response = await post(runDone(runId(2)));
      expect([response.statusCode, response.json()]).toEqual([202, { runId: runId(2) }]);
    }
    await expect
      .poll(() => runRecord(runId(2)), { timeout: 15_000 })
      .toMatchObject({ status: 'completed', attempts: 1, ads_saved: generated.valid.size });
    expect(fake.resultPagesServed()).toBe(3);

    // Lobstr retries a delivery up to 3 times, 15 minutes apart: a late one changes nothing.
    expect((await post(runDone(runId(2)))).statusCode).toBe(202);
    expect(await scrapingJobs()).toBe(1);
    expect(await runRecord(runId(2))).toMatchObject({ attempts: 1 });
  });

  it('admits runs announced together once each, duplicates in the same batch included', async () => {
    const ids = Array.from({ length: 15 }, (_, i) => runId(1000 + i));
    // Each run twice at once, the second time without its squid: one row per run, the squid kept.
    const responses = await Promise.all(
      ids.flatMap((id) => [post(runDone(id)), post({ id, event: 'run.done', object: 'run' })]),
    );
    expect(responses.map((r) => r.statusCode)).toEqual(responses.map(() => 202));
    const rows = await world.context.sql<{ id: string; squid_id: string }[]>`
      select id, squid_id from lobstr_runs where id = any(${ids}) order by id`;
    expect(rows).toEqual(ids.map((id) => ({ id, squid_id: SQUID })));
    const jobs = await Promise.all(ids.map((id) => world.context.queues.scraping.getJob(JOB_IDS.lobstrRun(id))));
    expect(jobs.filter(Boolean)).toHaveLength(15);
  });

  it('completes a run with all its ads when Lobstr fails on page 7 once', async () => {
    const generated = generateLobstrResults(800, { idPrefix: '50' });
    fake.runs.set(runId(3), { id: runId(3), squid: SQUID, status: 'done', results: generated.results });
    fake.faults.push({ page: 7, status: 500, times: 1 });

    expect((await post(runDone(runId(3)))).statusCode).toBe(202);
    const job = await world.context.queues.scraping.getJob(JOB_IDS.lobstrRun(runId(3)));
    // The failed attempt waits out the configured backoff; promote it instead of sleeping.
    await expect.poll(() => job!.getState(), { timeout: 15_000 }).toBe('delayed');
    await job!.promote();

    await expect
      .poll(() => runRecord(runId(3)), { timeout: 15_000 })
      .toMatchObject({ status: 'completed', attempts: 2, ads_saved: generated.valid.size });
    const [count] = await world.context.sql<
      { n: number }[]
    >`select count(*)::int as n from ads where original_ad_id like '50%'`;
    expect(count!.n).toBe(generated.valid.size);
  });

  it('reports ingested and rejected ads in the metrics', async () => {
    const metrics = (
      await world.context.app.inject({
        method: 'GET',
        url: ROUTES.metrics,
        headers: { authorization: `Bearer ${testEnv().API_SECRET!}` },
      })
    ).body;
    expect(Number(/auto_prospect_lobstr_ads\{outcome="saved"\} (\d+)/.exec(metrics)?.[1])).toBeGreaterThan(1000);
    expect(Number(/auto_prospect_lobstr_ads\{outcome="rejected"\} (\d+)/.exec(metrics)?.[1])).toBeGreaterThan(0);
  });

  it('fails the job for good, with a named code, when Lobstr does not know the run', async () => {
    expect((await post(runDone(runId(404)))).statusCode).toBe(202);
    const job = await world.context.queues.scraping.getJob(JOB_IDS.lobstrRun(runId(404)));
    await expect.poll(() => job!.getState(), { timeout: 15_000 }).toBe('failed');
    const failed = await world.context.queues.scraping.getJob(JOB_IDS.lobstrRun(runId(404)));
    expect(failed!.failedReason).toMatch(/^LOBSTR_NOT_FOUND: /);
    expect(failed!.attemptsMade).toBe(1);
    expect(await world.context.sql`select status, error_code from lobstr_runs where id = ${runId(404)}`).toEqual([
      { status: 'failed', error_code: 'LOBSTR_NOT_FOUND' },
    ]);
  });

  it('limits body size and requests per source', async () => {
    const huge = await post({ ...runDone(runId(5)), padding: 'x'.repeat(LIMITS.webhookBodyBytes) });
    expect(huge.statusCode).toBe(413);
    const statuses: number[] = [];
    for (let i = 0; i <= world.context.env.WEBHOOK_RATE_LIMIT_PER_MINUTE; i++)
      statuses.push((await post({ ...runDone(runId(6)), event: 'run.running' })).statusCode);
    // Earlier requests of this file count too: some pass, then every one is refused.
    const firstRefused = statuses.indexOf(429);
    expect(firstRefused).toBeGreaterThan(0);
    expect(statuses.slice(firstRefused).every((s) => s === 429)).toBe(true);
  });
});
