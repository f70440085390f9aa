// Per sending account and channel, a random gap between two sends (one phone sends them all), and
// the account's own provider limit (its key's 429) postponing only that account. The next
// allowed time lives in Redis so every worker process shares it; each step is one atomic script.
import type { RedisClient } from './connections.js';
import type { Channel } from '../channel.js';

export interface SendPacer {
  /** Takes the next send slot now (null), or says when the next one opens. */
  reserve(accountId: string, channel: Channel): Promise<Date | null>;
  /** Nothing of this account goes out on the channel before `until` (e.g. its provider said 429). */
  postpone(accountId: string, channel: Channel, until: Date): Promise<void>;
}

// KEYS[1] next allowed time (ms); ARGV: now, gap. A channel without a gap still honours a postponement.
const TAKE_SLOT = `
local next_at = tonumber(redis.call('GET', KEYS[1]) or '0')
local now = tonumber(ARGV[1])
if next_at > now then return next_at end
local gap = tonumber(ARGV[2])
if gap > 0 then redis.call('SET', KEYS[1], now + gap, 'PX', gap + 60000) end
return 0`;

// KEYS[1] next allowed time (ms); ARGV: now, until. Only ever moves the time later.
const POSTPONE = `
local next_at = tonumber(redis.call('GET', KEYS[1]) or '0')
local now = tonumber(ARGV[1])
local until_at = tonumber(ARGV[2])
if until_at > next_at then redis.call('SET', KEYS[1], until_at, 'PX', until_at - now + 60000) end
return 0`;

export function createSendPacer(
  redis: RedisClient,
  prefix: string,
  minGapSeconds: Partial<Record<Channel, number>>,
  random: () => number = Math.random,
): SendPacer {
  const key = (accountId: string, channel: Channel) => `${prefix}:pacing:${channel}:${accountId}`;
  return {
    async reserve(accountId, channel) {
      const minGapMs = (minGapSeconds[channel] ?? 0) * 1000;
      const gapMs = Math.round(minGapMs * (1 + random()));
      const nextAt = Number(await redis.eval(TAKE_SLOT, 1, key(accountId, channel), Date.now(), gapMs));
      return nextAt > 0 ? new Date(nextAt) : null;
    },
    async postpone(accountId, channel, until) {
      await redis.eval(POSTPONE, 1, key(accountId, channel), Date.now(), until.getTime());
    },
  };
}
