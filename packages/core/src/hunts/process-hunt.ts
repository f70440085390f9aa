// One hunt for one local day: pick its matching ads in the database, allocate each to the best
// usable channel (reserving the hunt's count and the channel's credit in the same transaction),
// schedule every message inside its channel's sending window and the sender's pacing, and
// dispatch them. Running it again the same day adds nothing: the count, the unique message per
// (account, ad, channel) and the job ids see to that; a retry re-dispatches pending rows.
import { LIMITS } from '../config/worker.config.js';
import type { Sql } from '../db/client.js';
import { PermanentError, WorkerError, errorCodeOf } from '../errors.js';
import type { Logger } from '../logging/logger.js';
import type { Channel } from '../messages/channel.js';
import type { SendingWindow } from '../schedule/sending-window.js';
import { allocateContact } from './allocate-contact.js';
import { recordRunHunt } from './daily-runs.js';
import { CONFIGURATION_ERRORS, loadHuntPlan, type PlannedChannel } from './hunt-plan.js';
import { selectCandidates } from './select-candidates.js';

export interface PendingDispatch {
  id: string;
  channel: Channel;
  sendAt: Date | null;
}

export interface ProcessHuntDeps {
  sql: Sql;
  logger: Logger;
  smsKeyEncryptionKey: string;
  whatsappDailyCap: number;
  window: SendingWindow;
  /** Average spacing of one account's messages per channel (ms), to spread the day's plan. */
  spacingMs: Readonly<Record<Channel, number>>;
  /** Enqueues send jobs; ids make a repeated dispatch harmless. */
  dispatch(messages: readonly PendingDispatch[]): Promise<void>;
}

export interface ProcessHuntInput {
  huntId: string;
  localDate: string;
  dailyRunId: string | null;
  finalAttempt: boolean;
}

export interface ProcessHuntResult {
  status: 'completed';
  contactsPlanned: number;
  skipped: Record<string, number>;
}

const bump = (counts: Record<string, number>, key: string) => void (counts[key] = (counts[key] ?? 0) + 1);

export async function processHunt(deps: ProcessHuntDeps, input: ProcessHuntInput): Promise<ProcessHuntResult> {
  try {
    const result = await planHunt(deps, input);
    if (input.dailyRunId) await recordRunHunt(deps.sql, input.dailyRunId, input.huntId, { status: 'completed', ...result });
    return { status: 'completed', ...result };
  } catch (err) {
    const final = input.finalAttempt || (err instanceof WorkerError && err.kind === 'permanent');
    if (final && input.dailyRunId) {
      await recordRunHunt(deps.sql, input.dailyRunId, input.huntId, {
        status: 'failed', contactsPlanned: 0, skipped: {}, errorCode: errorCodeOf(err), errorMessage: err instanceof Error ? err.message : String(err),
      });
    }
    throw err;
  }
}

async function planHunt(deps: ProcessHuntDeps, input: ProcessHuntInput): Promise<Omit<ProcessHuntResult, 'status'>> {
  const { sql, logger } = deps;
  const skipped: Record<string, number> = {};
  const plan = await loadHuntPlan(sql, input.huntId, deps.smsKeyEncryptionKey);
  if (!plan) throw new PermanentError('HUNT_NOT_FOUND', `hunt ${input.huntId} does not exist`);
  if (plan.hunt.status !== 'active') return { contactsPlanned: 0, skipped: { HUNT_PAUSED: 1 } };
  for (const { channel, reason } of plan.unusable) bump(skipped, `${reason.split(':')[0]!}:${channel}`);
  if (plan.channels.length === 0) {
    const errors = plan.unusable.filter((u) => CONFIGURATION_ERRORS.has(u.reason));
    if (errors.length > 0) {
      throw new PermanentError('HUNT_MISCONFIGURED', `no usable channel: ${errors.map((e) => `${e.channel} ${e.reason}`).join(', ')}`);
    }
    return { contactsPlanned: 0, skipped: { ...skipped, NO_USABLE_CHANNEL: 1 } };
  }

  const capacity = await todaysCapacity(sql, plan.hunt.id, plan.hunt.accountId, input.localDate, plan.channels, plan.hunt.dailyPacingLimit, deps.whatsappDailyCap);
  // A few more candidates than places: some will be skipped (landline for an SMS-only hunt, …).
  const candidates = await selectCandidates(sql, plan.hunt.id, plan.channels.map((c) => c.channel), Math.min(capacity * 2, LIMITS.huntCandidatesMax));

  const cursors = new Map<Channel, Date>();
  const sendAt = (channel: Channel) => cursors.get(channel) ?? deps.window.nextOpening(new Date());
  let planned = 0;
  for (const candidate of candidates) {
    if (planned >= capacity) break;
    const allocation = await allocateContact(sql, {
      huntId: plan.hunt.id, accountId: plan.hunt.accountId, localDate: input.localDate, dailyLimit: plan.hunt.dailyPacingLimit,
      dailyRunId: input.dailyRunId, whatsappDailyCap: deps.whatsappDailyCap, sendAt,
    }, candidate, plan.channels);
    if (allocation.allocated) {
      planned++;
      const next = new Date(allocation.sendAt.getTime() + deps.spacingMs[allocation.channel]);
      cursors.set(allocation.channel, deps.window.nextOpening(next));
      continue;
    }
    for (const reason of allocation.reasons) bump(skipped, reason);
    if (allocation.stop) break;
  }

  await dispatchPending(deps, plan.hunt.id, input.localDate);
  logger.info({ huntId: plan.hunt.id, contactsPlanned: planned, candidates: candidates.length, skipped }, 'hunt processed');
  return { contactsPlanned: planned, skipped };
}

/** How many more contacts today can take: the hunt's remaining count and the channels' room. */
async function todaysCapacity(
  sql: Sql, huntId: string, accountId: string, localDate: string, channels: readonly PlannedChannel[], dailyLimit: number | null, whatsappCap: number,
): Promise<number> {
  const [row] = await sql<{ used: number; sms: number; voice: number; whatsapp: number }[]>`
    select coalesce((select contacts from hunt_daily_contacts where hunt_id = ${huntId} and local_date = ${localDate}), 0) as used,
           coalesce((select sms - sms_reserved from credit_balances where account_id = ${accountId}), 0) as sms,
           coalesce((select ringless_voice - ringless_voice_reserved from credit_balances where account_id = ${accountId}), 0) as voice,
           ${whatsappCap} - coalesce((select reserved from account_daily_sends
             where account_id = ${accountId} and channel = 'whatsapp_text' and local_date = ${localDate}), 0) as whatsapp`;
  const room: Record<Channel, number> = { sms: row!.sms, ringless_voice: row!.voice, whatsapp_text: row!.whatsapp };
  const channelRoom = channels.reduce((sum, c) => sum + Math.max(0, room[c.channel]), 0);
  const huntRoom = dailyLimit === null ? Number.POSITIVE_INFINITY : dailyLimit - row!.used;
  return Math.max(0, Math.min(huntRoom, channelRoom, LIMITS.huntCandidatesMax));
}

/** The outbox: every pending message of the hunt's day gets (or keeps) its job. */
async function dispatchPending(deps: ProcessHuntDeps, huntId: string, localDate: string): Promise<void> {
  const pending = await deps.sql<{ id: string; channel: Channel; sendAt: Date | null }[]>`
    select id, channel, scheduled_at as "sendAt" from messages where hunt_id = ${huntId} and local_date = ${localDate} and status = 'pending'`;
  if (pending.length > 0) await deps.dispatch(pending);
}
