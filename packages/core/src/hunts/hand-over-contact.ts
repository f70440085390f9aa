// A contact whose recipient cannot get a channel (not on WhatsApp, landline, …) is handed to the
// hunt's next usable channel the same day. It was counted against the hunt when first allocated.
import type { Channel } from '../messages/channel.js';
import { allocateContact } from './allocate-contact.js';
import { loadHuntPlan } from './hunt-plan.js';
import type { PendingDispatch, ProcessHuntDeps } from './process-hunt.js';
import { loadCandidate } from './select-candidates.js';

export async function handOverContact(
  deps: Pick<ProcessHuntDeps, 'sql' | 'logger' | 'smsKeyEncryptionKey' | 'whatsappDailyCap' | 'window' | 'dispatch'>,
  messageId: string,
): Promise<PendingDispatch | null> {
  const { sql } = deps;
  const [failed] = await sql<{ huntId: string | null; adId: string; localDate: string | null; dailyRunId: string | null }[]>`
    select hunt_id as "huntId", ad_id as "adId", local_date::text as "localDate", daily_run_id as "dailyRunId"
    from messages where id = ${messageId} and status = 'failed'`;
  if (!failed?.huntId || !failed.localDate) return null;
  const plan = await loadHuntPlan(sql, failed.huntId, deps.smsKeyEncryptionKey);
  const candidate = plan && (await loadCandidate(sql, plan.hunt.accountId, failed.adId));
  if (!plan || !candidate) return null;
  const allocation = await allocateContact(sql, {
    huntId: plan.hunt.id, accountId: plan.hunt.accountId, localDate: failed.localDate, dailyLimit: plan.hunt.dailyPacingLimit,
    dailyRunId: failed.dailyRunId, whatsappDailyCap: deps.whatsappDailyCap, sendAt: (_channel: Channel) => deps.window.nextOpening(new Date()),
  }, candidate, plan.channels, false);
  if (!allocation.allocated) {
    deps.logger.info({ messageId, reasons: allocation.reasons }, 'no other channel could take the contact');
    return null;
  }
  const next = { id: allocation.messageId, channel: allocation.channel, sendAt: allocation.sendAt };
  await deps.dispatch([next]);
  deps.logger.info({ messageId, nextMessageId: next.id, channel: next.channel }, 'contact handed over to the next channel');
  return next;
}
