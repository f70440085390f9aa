// What today still allows an account's hunt, read under the account's allocation lock: two hunts
// of one account never plan from the same snapshot, while different accounts allocate in
// parallel. The unique indexes on messages stay the final guard.
import { LIMITS } from '../config/worker.config.js';
import type { Queryable } from '../db/client.js';
import { lockAccountAllocation } from '../messages/account-allocation-lock.js';
import type { Channel } from '../channel.js';
import type { Room } from './assign-channels.js';

export interface AllocationTarget {
  huntId: string;
  accountId: string;
  /** The OUTREACH_TIMEZONE day whose quotas the contacts use (YYYY-MM-DD). */
  localDate: string;
  dailyRunId: string | null;
  whatsappDailyCap: number;
}

export interface AllocationRoom extends Room {
  /** The hunt's daily_pacing_limit (null = unlimited), read under the lock: a limit changed mid-day applies at once. */
  dailyLimit: number | null;
  /** When each channel's latest pending message of the account is due, to continue its pacing. */
  lastScheduled: Partial<Record<Channel, Date>>;
}

/**
 * Takes the account's lock (waiting at most `lockWaitMs` when given), then reads the room in a
 * statement that sees every earlier holder's writes.
 */
export async function lockAllocationRoom(
  tx: Queryable,
  target: AllocationTarget,
  lockWaitMs?: number,
): Promise<AllocationRoom> {
  await lockAccountAllocation(tx, target.accountId, lockWaitMs);
  const { accountId, huntId, localDate } = target;
  const [row] = await tx<
    {
      used: number;
      limit: number | null;
      sms: number;
      voice: number;
      whatsapp: number;
      last: Record<string, string> | null;
    }[]
  >`
    select coalesce(d.contacts, 0) as used,
           h.daily_pacing_limit as limit,
           coalesce(c.sms - c.sms_reserved, 0) as sms,
           coalesce(c.ringless_voice - c.ringless_voice_reserved, 0) as voice,
           coalesce(w.daily_cap - w.reserved, ${target.whatsappDailyCap}::int) as whatsapp,
           (select jsonb_object_agg(p.channel, p.last) from (
              select channel, max(scheduled_at) as last from messages
              where account_id = ${accountId} and status = 'pending' and scheduled_at is not null
              group by channel) p) as last
    from (select 1) one
    left join hunts h on h.id = ${huntId}
    left join hunt_daily_contacts d on d.hunt_id = ${huntId} and d.local_date = ${localDate}
    left join credit_balances c on c.account_id = ${accountId}
    left join account_daily_sends w
      on w.account_id = ${accountId} and w.channel = 'whatsapp_text' and w.local_date = ${localDate}`;
  const huntRoom = row!.limit === null ? LIMITS.huntCandidatesMax : row!.limit - row!.used;
  return {
    dailyLimit: row!.limit,
    hunt: Math.max(0, Math.min(huntRoom, LIMITS.huntCandidatesMax)),
    channels: {
      sms: Math.max(0, row!.sms),
      ringless_voice: Math.max(0, row!.voice),
      whatsapp_text: Math.max(0, row!.whatsapp),
    },
    lastScheduled: Object.fromEntries(Object.entries(row!.last ?? {}).map(([channel, at]) => [channel, new Date(at)])),
  };
}
