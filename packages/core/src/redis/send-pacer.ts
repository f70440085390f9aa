// Per sending account and channel, a random gap between two sends (one phone sends them all), and
// the account's own provider limit (its key's 429) postponing only that account. The next
// allowed time lives in Redis so every worker process shares it; each step is one atomic script.
import type { RedisClient } from './connections.js';
import type { Channel } from '../channel.js';
import { PACING } from '../config/worker.config.js';

/** A message asking for a slot: it keeps its place in its account's line from one try to the next. */
export interface LineMember {
  messageId: string;
  /** Goes ahead of the line (a manual contact, a hand-over, the account's first): a place at its front. */
  first: boolean;
}

export interface SendPacer {
  /**
   * Takes the next send slot now (null), or says when to come back. A message told to wait gets
   * a place in its account's line and comes back when the places ahead of it should have gone, so
   * an account's waiting messages come due one after another, rather than all at every slot.
   */
  reserve(accountId: string, channel: Channel, member?: LineMember): Promise<Date | null>;
  /** As reserve, but a free slot is left free: whether a send could take it now (null). */
  check(accountId: string, channel: Channel, member: LineMember): Promise<Date | null>;
  /** Nothing of this account goes out on the channel before `until` (e.g. its provider said 429). */
  postpone(accountId: string, channel: Channel, until: Date): Promise<void>;
}

const SERVED_MS = PACING.lineFrontAfterTakeMinutes * 60_000;
const LATE_MS = PACING.lineLateMinutes * 60_000;

// KEYS: next allowed time (ms); the line (message → order: arrival, the front's below the rest); when
// each waiting message was told to come back; messages that took a slot lately; the arrival counter.
// ARGV: gap, average gap, message id ('' for none: no line), '1' for the front, SERVED_MS, LATE_MS,
// '1' to leave a free slot free (a check).
// Times are the server's, the same for every process; the answer is how long to wait (0: go). A free
// slot goes to whoever asks (never left idle for a message that is late); the line only says when
// the waiting come back: the next slot plus one average gap per place ahead. A channel without a gap
// needs no line, only postponements.
const TAKE_SLOT = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local gap, avg, member = tonumber(ARGV[1]), tonumber(ARGV[2]), ARGV[3]
local next_at = tonumber(redis.call('GET', KEYS[1]) or '0')
if next_at <= now then
  if ARGV[7] == '1' then return 0 end
  if gap > 0 then redis.call('SET', KEYS[1], now + gap, 'PX', gap + 60000) end
  if member ~= '' and gap > 0 then
    redis.call('ZREM', KEYS[2], member)
    redis.call('ZREM', KEYS[3], member)
    redis.call('ZADD', KEYS[4], now, member)
    redis.call('ZREMRANGEBYSCORE', KEYS[4], '-inf', now - tonumber(ARGV[5]))
    redis.call('PEXPIRE', KEYS[4], tonumber(ARGV[5]))
  end
  return 0
end
if member == '' or gap == 0 then return next_at - now end
local gone = redis.call('ZRANGEBYSCORE', KEYS[3], '-inf', now - tonumber(ARGV[6]), 'LIMIT', 0, 100)
for _, m in ipairs(gone) do
  redis.call('ZREM', KEYS[2], m)
  redis.call('ZREM', KEYS[3], m)
end
local rank = redis.call('ZRANK', KEYS[2], member)
if not rank then
  local seq = redis.call('INCR', KEYS[5])
  local front = ARGV[4] == '1' or redis.call('ZSCORE', KEYS[4], member)
  if front then seq = seq - 1000000000 end
  redis.call('ZADD', KEYS[2], seq, member)
  rank = redis.call('ZRANK', KEYS[2], member)
end
local due = next_at + rank * avg
redis.call('ZADD', KEYS[3], due, member)
local last = tonumber(redis.call('ZRANGE', KEYS[3], -1, -1, 'WITHSCORES')[2])
for _, key in ipairs({ KEYS[2], KEYS[3], KEYS[5] }) do redis.call('PEXPIRE', key, last - now + tonumber(ARGV[6])) end
return due - now`;

// KEYS[1] next allowed time (ms); ARGV: how long from now (ms). Only ever moves the time later.
const POSTPONE = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local next_at = tonumber(redis.call('GET', KEYS[1]) or '0')
local until_at = now + tonumber(ARGV[1])
if until_at > next_at then redis.call('SET', KEYS[1], until_at, 'PX', until_at - now + 60000) end
return 0`;

export function createSendPacer(
  redis: RedisClient,
  prefix: string,
  minGapSeconds: Partial<Record<Channel, number>>,
  random: () => number = Math.random,
): SendPacer {
  const key = (accountId: string, channel: Channel) => `${prefix}:pacing:${channel}:${accountId}`;
  async function askForSlot(accountId: string, channel: Channel, member: LineMember | undefined, take: boolean) {
    const minGapMs = (minGapSeconds[channel] ?? 0) * 1000;
    const pacing = key(accountId, channel);
    const waitMs = Number(
      await redis.eval(
        TAKE_SLOT,
        5,
        pacing,
        `${pacing}:line`,
        `${pacing}:due`,
        `${pacing}:served`,
        `${pacing}:arrivals`,
        Math.round(minGapMs * (1 + random())),
        // The random gap's average: 1.5× the minimum.
        Math.round(minGapMs * 1.5),
        member?.messageId ?? '',
        member?.first ? '1' : '0',
        SERVED_MS,
        LATE_MS,
        take ? '0' : '1',
      ),
    );
    // Waits, not times: the jobs are delayed by this process's clock, which may differ from Redis's.
    return waitMs > 0 ? new Date(Date.now() + waitMs) : null;
  }
  return {
    reserve: (accountId, channel, member) => askForSlot(accountId, channel, member, true),
    check: (accountId, channel, member) => askForSlot(accountId, channel, member, false),
    async postpone(accountId, channel, until) {
      await redis.eval(POSTPONE, 1, key(accountId, channel), Math.max(0, Math.round(until.getTime() - Date.now())));
    },
  };
}
