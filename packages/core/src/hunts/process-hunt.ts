// One hunt for one local day (counted against the first day on or after it that the sending window
// opens): under its account's allocation lock, pick its candidates in the database, assign each
// the best usable channel with room (waterfall), write the messages and reserve the hunt's count,
// credits and WhatsApp slots in one transaction, then dispatch them.
// Running it again the same day adds only what is left: the count, the one-live-contact indexes
// and the job ids see to that; a retry re-dispatches pending rows.
import type { Sql } from '../db/client.js';
import { NotNowError, PermanentError, WorkerError, errorCodeOf } from '../errors.js';
import type { Logger } from '../logging/logger.js';
import { allocateHuntDay, countSkipped, type AllocateHuntDayDeps } from './allocate-hunt-day.js';
import type { AllocationTarget } from './allocation-room.js';
import { recordRunHunt } from './daily-runs.js';
import type { PendingDispatch } from '../messages/pending-dispatch.js';
import { CONFIGURATION_ERRORS, loadHuntPlan } from './hunt-plan.js';
import { firstSendingDate } from '../schedule/sending-window.js';

export interface ProcessHuntDeps extends AllocateHuntDayDeps {
  sql: Sql;
  logger: Logger;
  /** Of the sending window's days (OUTREACH_TIMEZONE). */
  timeZone: string;
  smsKeyEncryptionKey: string;
  whatsappDailyCap: number;
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

export async function processHunt(deps: ProcessHuntDeps, input: ProcessHuntInput): Promise<ProcessHuntResult> {
  try {
    const result = await planHunt(deps, input);
    if (input.dailyRunId)
      await recordRunHunt(deps.sql, input.dailyRunId, input.huntId, { status: 'completed', ...result });
    return { status: 'completed', ...result };
  } catch (err) {
    // Postponed (ALLOCATION_BUSY…): run again later without using an attempt, so never final.
    if (err instanceof NotNowError) throw err;
    const final = input.finalAttempt || (err instanceof WorkerError && err.kind === 'permanent');
    if (final && input.dailyRunId) {
      await recordRunHunt(deps.sql, input.dailyRunId, input.huntId, {
        status: 'failed',
        contactsPlanned: 0,
        skipped: {},
        errorCode: errorCodeOf(err),
        errorMessage: err instanceof Error ? err.message : String(err),
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
  for (const { channel, reason } of plan.unusable) countSkipped(skipped, `${reason.split(':')[0]!}:${channel}`);
  if (plan.channels.length === 0) {
    const errors = plan.unusable.filter((u) => CONFIGURATION_ERRORS.has(u.reason));
    if (errors.length > 0) {
      throw new PermanentError(
        'HUNT_MISCONFIGURED',
        `no usable channel: ${errors.map((e) => `${e.channel} ${e.reason}`).join(', ')}`,
      );
    }
    return { contactsPlanned: 0, skipped: { ...skipped, NO_USABLE_CHANNEL: 1 } };
  }

  const target: AllocationTarget = {
    huntId: plan.hunt.id,
    accountId: plan.hunt.accountId,
    // The contacts count against the day they can go out (the next working day for a run on a holiday).
    localDate: firstSendingDate(deps.window, input.localDate, deps.timeZone),
    dailyRunId: input.dailyRunId,
    whatsappDailyCap: deps.whatsappDailyCap,
  };
  const allocation = await sql.begin((tx) => allocateHuntDay(tx, deps, target, plan.channels));
  for (const [reason, n] of Object.entries(allocation.skipped)) countSkipped(skipped, reason, n);
  const planned = allocation.planned;
  await dispatchPending(deps, target);
  logger.info({ huntId: plan.hunt.id, contactsPlanned: planned, skipped }, 'hunt processed');
  return { contactsPlanned: planned, skipped };
}

/**
 * The outbox: every pending message of the hunt's day gets (or keeps) its job. Its priority is its
 * rank among the account's pending messages of the channel, so one account's long queue never
 * holds back another account's first messages.
 */
async function dispatchPending(deps: ProcessHuntDeps, target: AllocationTarget): Promise<void> {
  const pending = await deps.sql<PendingDispatch[]>`
    select id, account_id as "accountId", channel, "sendAt", "recipientPhone", rank as priority from (
      select id, account_id, channel, hunt_id, local_date, recipient_phone as "recipientPhone",
             scheduled_at as "sendAt",
             row_number() over (partition by channel order by scheduled_at nulls first, id)::int as rank
      from messages where account_id = ${target.accountId} and status = 'pending') p
    where hunt_id = ${target.huntId} and local_date = ${target.localDate}`;
  if (pending.length > 0) await deps.dispatch(pending);
}
