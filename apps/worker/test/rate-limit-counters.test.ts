// The rate limits' counters, on the real Redis: the requests of one turn are counted in one call
// per key, and each still sees the count it would have seen alone.
import { afterAll, describe, expect, it, vi } from 'vitest';
import { Redis } from 'ioredis';
import { createTestQueuePrefix } from '@auto-prospect/testkit';
import { rateLimitCounters } from '../src/http/rate-limit-counters.js';

const prefix = createTestQueuePrefix();
const redis = new Redis(process.env.REDIS_URL!);

afterAll(async () => {
  await prefix.clear();
  redis.disconnect();
});

const WINDOW_MS = 60_000;

function counters(nameSpace: string) {
  const Store = rateLimitCounters(redis, nameSpace);
  // The plugin hands a route's settings to `child`, naming the route in `routeInfo`.
  const store = new Store({}).child({ routeInfo: { method: 'POST', url: '/hook' } } as never);
  const incr = (key: string) =>
    new Promise<{ current: number; ttl: number }>((resolve, reject) =>
      store.incr(key, (err, result) => (err ? reject(err) : resolve(result!)), WINDOW_MS, 100),
    );
  return { incr };
}

describe('rate limit counters', () => {
  it('count the requests of one turn together, one call per key, each in its place', async () => {
    const { incr } = counters(`${prefix.prefix}:rate-limit:`);
    const evals = vi.spyOn(redis, 'eval');
    const [a, b] = await Promise.all([
      Promise.all(Array.from({ length: 10 }, () => incr('198.51.100.1'))),
      Promise.all(Array.from({ length: 3 }, () => incr('198.51.100.2'))),
    ]);
    expect(evals).toHaveBeenCalledTimes(2);
    expect(a.map((r) => r.current)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    expect(b.map((r) => r.current)).toEqual([1, 2, 3]);
    for (const { ttl } of [...a, ...b]) {
      expect(ttl).toBeGreaterThan(WINDOW_MS - 5_000);
      expect(ttl).toBeLessThanOrEqual(WINDOW_MS);
    }
    evals.mockRestore();

    // A later turn, and another replica's counters under the same name, go on from there.
    expect((await incr('198.51.100.1')).current).toBe(11);
    expect((await counters(`${prefix.prefix}:rate-limit:`).incr('198.51.100.1')).current).toBe(12);
    expect(await redis.get(`${prefix.prefix}:rate-limit:POST/hook-198.51.100.1`)).toBe('12');
  });

  it('give a counter found without an expiry its window', async () => {
    const key = `${prefix.prefix}:rate-limit:POST/hook-198.51.100.3`;
    await redis.set(key, '5');
    const { incr } = counters(`${prefix.prefix}:rate-limit:`);
    expect(await incr('198.51.100.3')).toEqual({ current: 6, ttl: WINDOW_MS });
    expect(await redis.pttl(key)).toBeGreaterThan(0);
  });
});
