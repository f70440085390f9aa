// A hunt's contacts for one local day, allocated set-based inside the caller's transaction.
import { TIMEOUTS_MS } from '../config/worker.config.js';
import type { Transaction } from '../db/client.js';
import type { Channel } from '../channel.js';
import type { SendingWindow } from '../schedule/sending-window.js';
import { allocateContacts } from './allocate-contacts.js';
import { lockAllocationRoom, type AllocationTarget } from './allocation-room.js';
import { assignChannels, noRoomReason } from './assign-channels.js';
import type { PlannedChannel } from './hunt-plan.js';
import { planCandidateQueries, selectCandidates } from './select-candidates.js';
import { sendSchedule } from './send-schedule.js';

/**
 * Pages of one day: normally one, plus one per channel that fills up mid-page; a page refused by
 * a concurrent writer is retried. Past this many, the day stops (the next run goes on).
 */
const MAX_PAGES = 10;

export const countSkipped = (counts: Record<string, number>, reason: string, n = 1) =>
  void (n > 0 && (counts[reason] = (counts[reason] ?? 0) + n));

export interface AllocateHuntDayDeps {
  window: SendingWindow;
  /** Average spacing of one account's messages per channel (ms), to spread the day's plan. */
  spacingMs: Readonly<Record<Channel, number>>;
  /** How long to wait for the account's allocation lock before trying later (TIMEOUTS_MS.allocationLockWait). */
  lockWaitMs?: number;
}

/**
 * Under the account's lock: pages of candidates reachable on a channel with room, assigned by the
 * waterfall and written in bulk, until the hunt's room or the candidates run out. A page only
 * falls short of its assignments when a channel fills up, so there are at most a few pages.
 */
export async function allocateHuntDay(
  tx: Transaction,
  deps: AllocateHuntDayDeps,
  target: AllocationTarget,
  channels: readonly PlannedChannel[],
): Promise<{ planned: number; skipped: Record<string, number> }> {
  const skipped: Record<string, number> = {};
  await planCandidateQueries(tx);
  const room = await lockAllocationRoom(tx, target, deps.lockWaitMs ?? TIMEOUTS_MS.allocationLockWait);
  const write = {
    target,
    channels,
    countAgainstHunt: { dailyLimit: room.dailyLimit },
    nextSendAt: sendSchedule(deps.window, deps.spacingMs, room.lastScheduled),
  };
  const order = channels.map((c) => c.channel);
  let planned = 0;
  for (let page = 0; room.hunt > 0 && page < MAX_PAGES; page++) {
    const open = order.filter((c) => room.channels[c] > 0);
    if (open.length === 0) {
      for (const channel of order) countSkipped(skipped, noRoomReason(channel));
      break;
    }
    const limit = room.hunt;
    const { candidates, sellerContactedToday } = await selectCandidates(tx, { ...target, channels: open, limit });
    // Later pages would count this page's own contacts again.
    if (page === 0) countSkipped(skipped, 'SELLER_CONTACTED_TODAY', sellerContactedToday);
    const assigned = assignChannels(candidates, order, room);
    for (const [reason, n] of Object.entries(assigned.skipped)) countSkipped(skipped, reason, n);
    const allocated = await allocateContacts(tx, write, assigned.assignments);
    for (const m of allocated) {
      room.hunt--;
      room.channels[m.channel]--;
    }
    planned += allocated.length;
    const exhausted = candidates.length < limit && allocated.length === assigned.assignments.length;
    if (assigned.assignments.length === 0 || exhausted) break;
  }
  return { planned, skipped };
}
