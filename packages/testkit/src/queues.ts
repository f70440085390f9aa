import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import { checkoutNamespace, redisUrl } from './environment.js';

export interface TestQueuePrefix {
  prefix: string;
  /** Deletes every key under the prefix, at once (as a flush would: a worker never sees half of them gone). */
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
        // One script runs atomically; SCAN + DEL in batches let a running worker re-create keys
        // between batches and then lose part of them (a job's hash without its list entry).
        await redis.eval(
          "for _, key in ipairs(redis.call('KEYS', ARGV[1])) do redis.call('DEL', key) end",
          0,
          `${prefix}:*`,
        );
      } finally {
        redis.disconnect();
      }
    },
  };
}
