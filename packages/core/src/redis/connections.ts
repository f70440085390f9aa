import { Redis } from 'ioredis';

/**
 * worker: blocking commands must wait out a Redis restart instead of failing jobs, so BullMQ
 *         requires `maxRetriesPerRequest: null`.
 * producer: used from HTTP handlers, which must answer 503 at once rather than hang while Redis
 *           is away, so commands are not queued while disconnected.
 */
export type RedisRole = 'worker' | 'producer';

export function createRedis(url: string, role: RedisRole): Redis {
  const common = { lazyConnect: false, connectionName: `auto-prospect-${role}` };
  return role === 'worker'
    ? new Redis(url, { ...common, maxRetriesPerRequest: null })
    : new Redis(url, { ...common, maxRetriesPerRequest: 1, enableOfflineQueue: false, connectTimeout: 5_000 });
}
