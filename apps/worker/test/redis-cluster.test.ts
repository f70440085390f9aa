// The whole daily run, unchanged, on a Redis Cluster of three masters: every queue, worker,
// pacer, lease and rate limit goes through an ioredis Cluster (REDIS_CLUSTER_NODES).
import { afterAll, beforeAll, describe } from 'vitest';
import { dailyRunSuite } from './support/daily-run-suite.js';
import { redisServerMissing, startRedisCluster, type RedisCluster } from './support/redis-cluster.js';

if (redisServerMissing) console.warn('redis-server or redis-cli is not installed: the Redis Cluster test is skipped');

describe.skipIf(redisServerMissing)('on a Redis Cluster', () => {
  let cluster: RedisCluster;
  beforeAll(async () => {
    cluster = await startRedisCluster();
  }, 60_000);
  afterAll(async () => {
    await cluster.stop();
  });

  dailyRunSuite(() => ({
    REDIS_CLUSTER_NODES: cluster.nodes,
    // Nothing listens there: were the cluster setting ignored, nothing would work.
    REDIS_URL: 'redis://127.0.0.1:1',
    QUEUE_PREFIX: '{ap-cluster}',
  }));
});
