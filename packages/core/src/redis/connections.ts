import { Cluster, Redis, type RedisOptions } from 'ioredis';
import type { Env } from '../config/env.js';

/** A single server or a Redis Cluster (REDIS_CLUSTER_NODES): everything here works on both. */
export type RedisClient = Redis | Cluster;

/**
 * worker: blocking commands must wait out a Redis restart instead of failing jobs, so BullMQ
 *         requires `maxRetriesPerRequest: null`.
 * producer: used from HTTP handlers, which must answer 503 at once rather than hang while Redis
 *           is away, so commands are not queued while disconnected.
 */
export type RedisRole = 'worker' | 'producer';

export function createRedis(env: Pick<Env, 'REDIS_URL' | 'REDIS_CLUSTER_NODES'>, role: RedisRole): RedisClient {
  const common = { lazyConnect: false, connectionName: `auto-prospect-${role}` };
  const options: RedisOptions =
    role === 'worker'
      ? { ...common, maxRetriesPerRequest: null }
      : { ...common, maxRetriesPerRequest: 1, enableOfflineQueue: false, connectTimeout: 5_000 };
  if (!env.REDIS_CLUSTER_NODES) return new Redis(env.REDIS_URL, options);
  // The nodes come from REDIS_CLUSTER_NODES; credentials and TLS from REDIS_URL, as for one server.
  const url = new URL(env.REDIS_URL);
  return new Cluster(env.REDIS_CLUSTER_NODES, {
    enableOfflineQueue: role === 'worker',
    redisOptions: {
      ...options,
      ...(url.username ? { username: decodeURIComponent(url.username) } : {}),
      ...(url.password ? { password: decodeURIComponent(url.password) } : {}),
      ...(url.protocol === 'rediss:' ? { tls: {} } : {}),
    },
  });
}
