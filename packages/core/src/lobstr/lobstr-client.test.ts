import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakeLobstr, type FakeLobstr } from '@auto-prospect/testkit';
import { PermanentError, RateLimitedError, TransientError } from '../errors.js';
import { createLobstrClient } from './lobstr-client.js';

const RUN = 'c39b1922a5424c3c84a7cb2ec731bc5f';
const SQUID = '8177beb16fdf4e0e8d4b2ba767d1ffb5';
let fake: FakeLobstr;

beforeAll(async () => {
  fake = await startFakeLobstr({ apiKey: 'right-key', resultsPerSecond: 2 });
  fake.runs.set(RUN, {
    id: RUN,
    squid: SQUID,
    status: 'done',
    results: Array.from({ length: 150 }, (_, i) => ({ annonce_id: String(i) })),
  });
});
afterAll(() => fake.close());

const client = (apiKey = 'right-key', resultsPerSecond = 50) =>
  createLobstrClient({ baseUrl: fake.baseUrl, apiKey, resultsPerSecond });

async function rejection(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(
    () => undefined,
    (err: unknown) => err,
  );
}

describe('Lobstr client', () => {
  it('sends "Token" auth and limit=100, and pages to the last page', async () => {
    const lobstr = client();
    expect(await lobstr.getRun(RUN)).toEqual({ id: RUN, squid: SQUID, status: 'done' });
    const first = await lobstr.getResultsPage(RUN, 1);
    await new Promise((r) => setTimeout(r, 1000));
    const second = await lobstr.getResultsPage(RUN, 2);
    expect([first.results.length, first.hasNext, second.results.length, second.hasNext]).toEqual([
      100,
      true,
      50,
      false,
    ]);
    const request = fake.requests.find((r) => r.path === '/v1/results')!;
    expect(request.headers.authorization).toBe('Token right-key');
    expect(Object.fromEntries(request.query)).toEqual({ run: RUN, page: '1', limit: '100' });
  });

  it('classifies each documented error', async () => {
    expect(await rejection(client('wrong-key').getRun(RUN))).toMatchObject({
      code: 'LOBSTR_UNAUTHORIZED',
      constructor: PermanentError,
    });
    expect(await rejection(client().getRun('0'.repeat(32)))).toMatchObject({
      code: 'LOBSTR_NOT_FOUND',
      message: expect.stringContaining('Run not found') as string,
    });
    fake.faults.push({ page: 9, status: 500, times: 1 });
    expect(await rejection(client().getResultsPage(RUN, 9))).toBeInstanceOf(TransientError);
    const unreachable = createLobstrClient({ baseUrl: 'http://127.0.0.1:9/v1', apiKey: 'k' });
    expect(await rejection(unreachable.getRun(RUN))).toMatchObject({ code: 'LOBSTR_UNREACHABLE' });
  });

  it('turns 429 into a rate-limit error carrying Retry-After', async () => {
    await new Promise((r) => setTimeout(r, 1100));
    const lobstr = client('right-key', 100);
    const results = await Promise.allSettled([1, 1, 1, 1].map((page) => lobstr.getResultsPage(RUN, page)));
    const limited = results.filter((r) => r.status === 'rejected').map((r) => r.reason as unknown);
    expect(limited.length).toBeGreaterThanOrEqual(1);
    expect(limited[0]).toBeInstanceOf(RateLimitedError);
    expect((limited[0] as RateLimitedError).retryAfterMs).toBe(1000);
  });

  it('spaces its own result requests to stay within 2 per second', async () => {
    await new Promise((r) => setTimeout(r, 1100));
    const before = fake.requests.length;
    const lobstr = client('right-key', 2);
    await Promise.all([1, 2, 1].map((page) => lobstr.getResultsPage(RUN, page)));
    // A lower bound only: a slow machine can only widen the gap.
    const arrivals = fake.requests.slice(before).map((r) => r.receivedAt);
    expect(arrivals).toHaveLength(3);
    expect(arrivals[2]! - arrivals[0]!).toBeGreaterThanOrEqual(1000);
  });
});
