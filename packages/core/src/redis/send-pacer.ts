// Per sending account and channel, a random gap between two sends (one phone sends them all), and
// the account's own provider limit (its key's 429) postponing only that account. The next
// allowed time lives in Redis so every worker process shares it; each step is one atomic script.
import type { RedisClient } from './connections.js';
import type { Channel } from '../channel.js';

/** A message asking for a slot: it keeps its place in its account's line from one try to the next. */
export interface LineMember {
  messageId: string;
  /** Goes ahead of the line (a manual contact, a hand-over, its account's first): the next slot, no place. */
  first: boolean;
}

export interface SendPacer {
  /**
   * Takes the next send slot now (null), or says when to come back. A message told to wait gets
   * a place in its account's line, one gap after the last place given, and keeps it: an account's
   * waiting messages come due one per slot, rather than all of them at every slot.
   */
  reserve(accountId: string, channel: Channel, member?: LineMember): Promise<Date | null>;
  /** Nothing of this account goes out on the channel before `until` (e.g. its provider said 429). */
  postpone(accountId: string, channel: Channel, until: Date): Promise<void>;
}

// KEYS[1] next allowed time (ms), KEYS[2] the line (message → its place, ms); ARGV: now, gap, minimum
// gap, message id ('' for none), '1' when it goes ahead of the line. A channel without a gap still
// honours a postponement. While messages wait in line, the next slot is the first place (never
// closer than the minimum gap): the places already carry the random gaps, and a late send does not
// push every later place back. Places long past belong to messages that went another way.
const TAKE_SLOT = `
local next_at = tonumber(redis.call('GET', KEYS[1]) or '0')
local now = tonumber(ARGV[1])
local gap = tonumber(ARGV[2])
local member = ARGV[4]
if member ~= '' then redis.call('ZREMRANGEBYSCORE', KEYS[2], '-inf', now - 60000) end
if next_at <= now then
  if member ~= '' then redis.call('ZREM', KEYS[2], member) end
  if gap > 0 then
    local head = tonumber(redis.call('ZRANGE', KEYS[2], 0, 0, 'WITHSCORES')[2])
    local after = now + gap
    if head then after = math.max(now + tonumber(ARGV[3]), head) end
    redis.call('SET', KEYS[1], after, 'PX', after - now + 60000)
  end
  return 0
end
if member == '' then return next_at end
local place = tonumber(redis.call('ZSCORE', KEYS[2], member))
if place then return math.max(next_at, place) end
if ARGV[5] == '1' then return next_at end
local last = tonumber(redis.call('ZRANGE', KEYS[2], -1, -1, 'WITHSCORES')[2])
place = math.max(next_at, (last or 0) + gap)
redis.call('ZADD', KEYS[2], place, member)
redis.call('PEXPIRE', KEYS[2], place - now + 60000)
return place`;

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
    async reserve(accountId, channel, member) {
      const minGapMs = (minGapSeconds[channel] ?? 0) * 1000;
      const gapMs = Math.round(minGapMs * (1 + random()));
      const pacing = key(accountId, channel);
      const nextAt = Number(
        await redis.eval(
          TAKE_SLOT,
          2,
          pacing,
          `${pacing}:line`,
          Date.now(),
          gapMs,
          minGapMs,
          member?.messageId ?? '',
          member?.first ? '1' : '0',
        ),
      );
      return nextAt > 0 ? new Date(nextAt) : null;
    },
    async postpone(accountId, channel, until) {
      await redis.eval(POSTPONE, 1, key(accountId, channel), Date.now(), until.getTime());
    },
  };
}
