import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import { checkoutNamespace, redisUrl } from './environment.js';

export interface TestQueuePrefix {
  prefix: string;
  /** Deletes every key under the prefix. */
  clear(): Promise<void>;
}

/** A BullMQ key prefix of this test file's own, so files never see each other's jobs. */
export function createTestQueuePrefix(): TestQueuePrefix {
  const prefix = `t${checkoutNamespace}${randomBytes(5).toString('hex')}`;
  return {
    prefix,
    async clear() {
      const redis = new Redis(redisUrl(), { maxRetriesPerRequest: 1 });
      try {
        let cursor = '0';
        do {
          const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}:*`, 'COUNT', 1000);
          if (keys.length > 0) await redis.del(...keys);
          cursor = next;
        } while (cursor !== '0');
      } finally {
        redis.disconnect();
      }
    },
  };
}
