// The counters of @fastify/rate-limit, in Redis so every replica shares them: one fixed window per
// key, as the plugin's own Redis store keeps it, but the requests of one turn of the event loop are
// counted together, one call per key. The plugin's store makes a call, and a socket write, per
// request: at 100 connections those writes took a third of an ignored webhook's CPU.
import DataLoader from 'dataloader';
import type { FastifyRateLimitStore, FastifyRateLimitStoreCtor } from '@fastify/rate-limit';
import type { RedisClient } from '@auto-prospect/core/clients';

interface Increment {
  key: string;
  windowMs: number;
}

interface Count {
  current: number;
  /** Milliseconds left in the key's window. */
  ttl: number;
}

// KEYS[1] counter; ARGV: requests, window (ms). A new window starts when its first requests are
// counted; a counter found without an expiry (never written so) gets one rather than live forever.
const COUNT = `
local total = redis.call('INCRBY', KEYS[1], ARGV[1])
local ttl = redis.call('PTTL', KEYS[1])
if ttl < 0 then
  ttl = tonumber(ARGV[2])
  redis.call('PEXPIRE', KEYS[1], ttl)
end
return {total, ttl}`;

function countPerTurn(redis: RedisClient): DataLoader<Increment, Count> {
  return new DataLoader(
    async (increments) => {
      const byKey = new Map<string, { windowMs: number; counted: number }>();
      for (const { key, windowMs } of increments)
        byKey.set(key, { windowMs, counted: (byKey.get(key)?.counted ?? 0) + 1 });
      const totals = new Map(
        await Promise.all(
          [...byKey].map(async ([key, { windowMs, counted }]) => {
            const [total, ttl] = (await redis.eval(COUNT, 1, key, counted, windowMs)) as [number, number];
            return [key, { total, ttl, counted }] as const;
          }),
        ),
      );
      // Each request gets the count it would have seen had they been counted one by one, in order.
      const seen = new Map<string, number>();
      return increments.map(({ key }) => {
        const { total, ttl, counted } = totals.get(key)!;
        const position = seen.get(key) ?? 0;
        seen.set(key, position + 1);
        return { current: total - counted + position + 1, ttl };
      });
    },
    { cache: false, batchScheduleFn: (flush) => setImmediate(flush) },
  );
}

/** The plugin's `store` option: counters named under `nameSpace`, then the route's method and URL. */
export function rateLimitCounters(redis: RedisClient, nameSpace: string): FastifyRateLimitStoreCtor {
  const counts = countPerTurn(redis);
  return class RateLimitCounters implements FastifyRateLimitStore {
    constructor(
      _options?: unknown,
      private readonly prefix = nameSpace,
    ) {}

    incr(key: string, callback: (error: Error | null, result?: Count) => void, timeWindow: number): void {
      counts.load({ key: this.prefix + key, windowMs: timeWindow }).then(
        (count) => callback(null, count),
        (err: Error) => callback(err),
      );
    }

    child(route: object): FastifyRateLimitStore {
      // The plugin hands each route's merged settings, naming the route in `routeInfo`.
      const { method = '', url = '' } = (route as { routeInfo?: { method?: string; url?: string } }).routeInfo ?? {};
      return new RateLimitCounters(undefined, `${this.prefix}${method}${url}-`);
    }
  };
}
