// A contact whose recipient cannot get a channel (not on WhatsApp, landline, …) is handed to the
// hunt's next usable channel the same day, under the account's allocation lock like any other
// contact. It was counted against the hunt when first allocated.
import { allocateContacts } from './allocate-contacts.js';
import { lockAllocationRoom } from './allocation-room.js';
import { assignChannels } from './assign-channels.js';
import { loadHuntPlan } from './hunt-plan.js';
import type { PendingDispatch, ProcessHuntDeps } from './process-hunt.js';
import { loadCandidate } from './select-candidates.js';
import { sendSchedule } from './send-schedule.js';

export type HandOverDeps = Pick<ProcessHuntDeps, 'sql' | 'logger' | 'smsKeyEncryptionKey' | 'whatsappDailyCap' | 'window' | 'spacingMs' | 'dispatch'>;

export async function handOverContact(deps: HandOverDeps, messageId: string): Promise<PendingDispatch | null> {
  const { sql } = deps;
  const [failed] = await sql<{ huntId: string | null; adId: string; localDate: string | null; dailyRunId: string | null }[]>`
    select hunt_id as "huntId", ad_id as "adId", local_date::text as "localDate", daily_run_id as "dailyRunId"
    from messages where id = ${messageId} and status = 'failed'`;
  if (!failed?.huntId || !failed.localDate) return null;
  const plan = await loadHuntPlan(sql, failed.huntId, deps.smsKeyEncryptionKey);
  if (!plan) return null;
  const target = {
    huntId: plan.hunt.id, accountId: plan.hunt.accountId, localDate: failed.localDate, dailyLimit: plan.hunt.dailyPacingLimit,
    dailyRunId: failed.dailyRunId, whatsappDailyCap: deps.whatsappDailyCap,
  };
  const [next] = await sql.begin(async (tx) => {
    const room = await lockAllocationRoom(tx, target);
    const candidate = await loadCandidate(tx, target.accountId, failed.adId);
    if (!candidate) return [];
    const { assignments } = assignChannels([candidate], plan.channels.map((c) => c.channel), { ...room, hunt: 1 });
    return allocateContacts(tx, {
      target, channels: plan.channels, countAgainstHunt: false, nextSendAt: sendSchedule(deps.window, deps.spacingMs, room.lastScheduled),
    }, assignments);
  });
  if (!next) {
    deps.logger.info({ messageId }, 'no other channel could take the contact');
    return null;
  }
  // Handed over within the day it was planned for: it goes ahead of the account's later messages.
  await deps.dispatch([{ id: next.id, channel: next.channel, sendAt: next.sendAt, priority: 1 }]);
  deps.logger.info({ messageId, nextMessageId: next.id, channel: next.channel }, 'contact handed over to the next channel');
  return { id: next.id, channel: next.channel, sendAt: next.sendAt, priority: 1 };
}
