// Fuzzed input never makes the service answer 5xx: 5,000 Lobstr webhook bodies mutated from a real
// one (NUL characters, wrong types, missing and extra fields, invalid JSON, oversize) and bad
// parameters and bodies on the API. A body the webhook refuses enqueues nothing.
import { describe, expect, it } from 'vitest';
import { ROUTES } from '@auto-prospect/core';
import { testEnv } from '@auto-prospect/testkit';
import { useStartedWorld } from './support/test-context.js';

const TOKEN = testEnv().LOBSTR_WEBHOOK_TOKEN!;
const auth = { authorization: `Bearer ${testEnv().API_SECRET!}` };
// No scraping role: accepted runs stay queued instead of calling Lobstr.
const world = useStartedWorld({ WORKER_ROLES: 'orchestration' });

/** Deterministic pseudo-random numbers (mulberry32), so a failure can be replayed. */
function random(seed: number): () => number {
  let state = seed;
  return () => {
    state = (state + 0x6d2b79f5) | 0;
    let t = Math.imul(state ^ (state >>> 15), 1 | state);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const next = random(20261128);
const pick = <T>(values: readonly T[]): T => values[Math.floor(next() * values.length)]!;
const hex = (n: number) => Array.from({ length: n }, () => pick('0123456789abcdef'.split(''))).join('');
const junk = () =>
  pick([
    '',
    '\u0000',
    `${hex(16)}\u0000${hex(15)}`,
    'é'.repeat(50),
    '"; drop table ads; --',
    '\ud800',
    'x'.repeat(20_000),
    '<script>',
  ]);
const anyValue = (): unknown => pick([null, true, 0, -1, 1e308, hex(32), junk(), [], [hex(32)], {}, { id: junk() }]);

function fuzzedBody(): { payload: string; contentType: string } {
  const body: Record<string, unknown> = {
    id: hex(32),
    object: 'run',
    event: 'run.done',
    squid: { id: hex(32), name: 'Leboncoin' },
    timestamp: '2026/11/28 08:32:31',
  };
  for (let mutations = 1 + Math.floor(next() * 3); mutations > 0; mutations--) {
    const field = pick(['id', 'event', 'squid', 'squid.id', 'extra', 'whole']);
    if (field === 'squid.id') body.squid = { id: pick([junk(), hex(32).toUpperCase(), 42, null, `${hex(31)}\u0000`]) };
    else if (field === 'extra') body[junk() || 'k'] = anyValue();
    else if (field === 'whole')
      return {
        payload: pick(['', '{', '[]', 'null', '"run.done"', '{"id":', JSON.stringify([body])]),
        contentType: pick(['application/json', 'text/plain']),
      };
    else body[field] = pick([anyValue(), junk(), undefined]);
  }
  return { payload: JSON.stringify(body), contentType: 'application/json' };
}

describe('bad input', () => {
  it(
    '5,000 fuzzed Lobstr webhook bodies: no 5xx, and nothing enqueued for a refused one',
    { timeout: 120_000 },
    async () => {
      const statuses = new Map<number, number>();
      const accepted = new Set<string>();
      for (let i = 0; i < 5_000; i++) {
        const { payload, contentType } = fuzzedBody();
        const response = await world.context.app.inject({
          method: 'POST',
          url: ROUTES.lobstrWebhook.replace(':token', TOKEN),
          payload,
          headers: { 'content-type': contentType },
          // One source address each: the webhook's per-address rate limit is not what is tested here.
          remoteAddress: `127.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`,
        });
        statuses.set(response.statusCode, (statuses.get(response.statusCode) ?? 0) + 1);
        expect(
          response.statusCode,
          `body ${JSON.stringify(payload).slice(0, 300)} → ${response.body.slice(0, 300)}`,
        ).toBeLessThan(500);
        if (response.statusCode === 202) accepted.add(response.json<{ runId: string }>().runId);
      }
      expect(statuses.get(400)).toBeGreaterThan(1_000);
      expect(accepted.size).toBeGreaterThan(100);
      // Jobs in every state: BullMQ's default when no state is named.
      const queued = await world.context.queues.scraping.getJobs();
      expect(queued.every((job) => accepted.has((job.data as { lobstrRunId: string }).lobstrRunId))).toBe(true);
      expect(queued).toHaveLength(accepted.size);
    },
  );

  it('bad parameters and bodies on the API are 4xx, never 5xx', async () => {
    const ids = [
      junk(),
      '\u0000',
      `${hex(8)}-${hex(4)}-${hex(4)}-${hex(4)}-${hex(12)}\u0000`,
      '../../etc/passwd',
      '%00',
      'x'.repeat(300),
    ];
    const requests = ids.flatMap((id) => [
      { method: 'GET' as const, url: ROUTES.dailyRun.replace(':runId', encodeURIComponent(id)) },
      { method: 'POST' as const, url: ROUTES.huntRun.replace(':huntId', encodeURIComponent(id)) },
      {
        method: 'GET' as const,
        url: ROUTES.job.replace(':queue', encodeURIComponent(id)).replace(':jobId', encodeURIComponent(id)),
      },
      { method: 'GET' as const, url: ROUTES.whatsappLink.replace(':accountId', encodeURIComponent(id)) },
      {
        method: 'POST' as const,
        url: ROUTES.messages,
        payload: { accountId: id, adId: id, channel: 'sms', templateId: id },
      },
      {
        method: 'POST' as const,
        url: ROUTES.messages,
        payload: JSON.stringify({ accountId: id }).slice(0, 10),
        headers: { 'content-type': 'application/json' },
      },
    ]);
    for (const request of requests) {
      const response = await world.context.app.inject({ ...request, headers: { ...auth, ...request.headers } });
      expect(response.statusCode, `${request.method} ${request.url} → ${response.body.slice(0, 300)}`).toBeLessThan(
        500,
      );
    }
  });

  it('answers unreadable bodies and unknown routes with stable codes in the {error, message} shape', async () => {
    const post = (payload: string, contentType = 'application/json') =>
      world.context.app.inject({
        method: 'POST',
        url: ROUTES.lobstrWebhook.replace(':token', TOKEN),
        payload,
        headers: { 'content-type': contentType },
      });
    const answer = async (response: Promise<{ statusCode: number; json: <T>() => T }>) => {
      const r = await response;
      return [r.statusCode, r.json<{ error: string; message: string }>().error];
    };
    expect(await answer(post('{"id":'))).toEqual([400, 'INVALID_JSON']);
    expect(await answer(post(JSON.stringify({ id: 'x'.repeat(20_000) })))).toEqual([413, 'BODY_TOO_LARGE']);
    expect(await answer(post('<run/>', 'application/xml'))).toEqual([415, 'UNSUPPORTED_MEDIA_TYPE']);
    expect(await answer(world.context.app.inject({ method: 'GET', url: '/no/such/route', headers: auth }))).toEqual([
      404,
      'NOT_FOUND',
    ]);
    const wrongMethod = await world.context.app.inject({
      method: 'DELETE',
      url: ROUTES.dailyRun.replace(':runId', 'd1000000-0000-4000-8000-000000000000'),
      headers: auth,
    });
    expect([wrongMethod.statusCode, wrongMethod.json<{ error: string }>().error, wrongMethod.headers.allow]).toEqual([
      405,
      'METHOD_NOT_ALLOWED',
      'GET, HEAD',
    ]);
  });
});
