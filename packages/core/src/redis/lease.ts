// A lease in Redis: held by one owner at a time, expiring by itself if its holder dies, renewed
// while held. SET NX PX to take it; compare-and-set scripts so only the holder renews or frees it.
import type { RedisClient } from './connections.js';

const RENEW =
  `if redis.call('GET', KEYS[1]) == ARGV[1] then ` + `return redis.call('PEXPIRE', KEYS[1], ARGV[2]) end return 0`;
const RELEASE = `if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end return 0`;

export interface Lease {
  /** Stops renewing and frees the lease if still ours. */
  release(): Promise<void>;
}

export async function acquireLease(
  redis: RedisClient,
  key: string,
  owner: string,
  ttlMs: number,
  onLost: () => void,
): Promise<Lease | null> {
  const taken = await redis.set(key, owner, 'PX', ttlMs, 'NX');
  if (taken !== 'OK') {
    // Ours already (a previous holder in this process that did not release): renew and keep it.
    if ((await redis.eval(RENEW, 1, key, owner, ttlMs)) !== 1) return null;
  }
  const timer = setInterval(
    () => {
      redis.eval(RENEW, 1, key, owner, ttlMs).then(
        (renewed) => {
          if (renewed !== 1) {
            clearInterval(timer);
            onLost();
          }
        },
        () => {
          // Redis unreachable: keep trying; the lease expires by itself if this lasts.
        },
      );
    },
    Math.max(100, Math.floor(ttlMs / 3)),
  );
  timer.unref();
  return {
    async release() {
      clearInterval(timer);
      await redis.eval(RELEASE, 1, key, owner).catch(() => undefined);
    },
  };
}
