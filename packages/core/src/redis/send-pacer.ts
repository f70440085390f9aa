// Per sending account and channel, a random gap between two sends (one phone sends them all).
// The next allowed time lives in Redis so every worker process shares it; taking a slot is one
// atomic script.
import type { Redis } from 'ioredis';
import type { Channel } from '../messages/channel.js';

export interface SendPacer {
  /** Takes the next send slot now (null), or says when the next one opens. */
  reserve(accountId: string, channel: Channel): Promise<Date | null>;
}

const TAKE_SLOT = `
local next_at = tonumber(redis.call('GET', KEYS[1]) or '0')
local now = tonumber(ARGV[1])
if next_at > now then return next_at end
redis.call('SET', KEYS[1], now + tonumber(ARGV[2]), 'PX', tonumber(ARGV[2]) + 60000)
return 0`;

export function createSendPacer(redis: Redis, prefix: string, minGapSeconds: Partial<Record<Channel, number>>, random: () => number = Math.random): SendPacer {
  return {
    async reserve(accountId, channel) {
      const minGapMs = (minGapSeconds[channel] ?? 0) * 1000;
      if (minGapMs <= 0) return null;
      const gapMs = Math.round(minGapMs * (1 + random()));
      const nextAt = Number(await redis.eval(TAKE_SLOT, 1, `${prefix}:pacing:${channel}:${accountId}`, Date.now(), gapMs));
      return nextAt > 0 ? new Date(nextAt) : null;
    },
  };
}
