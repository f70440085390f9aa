// A contact whose recipient cannot get a channel (not on WhatsApp, landline, …) is handed to the
// hunt's next usable channel the same day, by the same waterfall as any allocation, inside the
// transaction that records the failure. It was counted against the hunt when first allocated.
import type { Transaction } from '../db/client.js';
import type { ClaimedMessage } from '../messages/message-ledger.js';
import type { HandedOver } from '../messages/fail-message.js';
import { allocateContacts } from './allocate-contacts.js';
import { lockAllocationRoom } from './allocation-room.js';
import { assignChannels } from './assign-channels.js';
import { loadHuntPlan } from './hunt-plan.js';
import type { ProcessHuntDeps } from './process-hunt.js';
import { loadCandidate } from './select-candidates.js';
import { sendSchedule } from './send-schedule.js';

export type HandOverDeps = Pick<ProcessHuntDeps, 'smsKeyEncryptionKey' | 'whatsappDailyCap' | 'window' | 'spacingMs'>;

export async function handOverContact(
  tx: Transaction,
  deps: HandOverDeps,
  failed: ClaimedMessage,
): Promise<HandedOver | null> {
  if (!failed.huntId || !failed.localDate) return null;
  const plan = await loadHuntPlan(tx, failed.huntId, deps.smsKeyEncryptionKey);
  if (!plan) return null;
  const target = {
    huntId: plan.hunt.id,
    accountId: plan.hunt.accountId,
    localDate: failed.localDate,
    dailyRunId: failed.dailyRunId,
    whatsappDailyCap: deps.whatsappDailyCap,
  };
  const room = await lockAllocationRoom(tx, target);
  const candidate = await loadCandidate(tx, target.accountId, failed.adId, failed.localDate);
  if (!candidate) return null;
  const { assignments } = assignChannels(
    [candidate],
    plan.channels.map((c) => c.channel),
    { ...room, hunt: 1 },
  );
  const [next] = await allocateContacts(
    tx,
    {
      target,
      channels: plan.channels,
      countAgainstHunt: null,
      nextSendAt: sendSchedule(deps.window, deps.spacingMs, room.lastScheduled),
    },
    assignments,
  );
  return next ?? null;
}
