// Sends a voice message together with the due voice messages of its account and audio: one
// Voice Partner request of up to 500 numbers, each message still sent exactly once.
//
// Design. One job per message stays (dispatch, the sweeper, hand-overs and manual contacts are
// unchanged); the job whose message is pending leads a batch: it claims that message and the
// other due ones in one statement, and the platform's request budget is taken right before the
// request (VoiceRequestPace), so the jobs that then find their message already sent cost no
// budget — BullMQ's queue limiter, counting every job, could not tell them apart. With no slot
// open, the claims go back and the whole queue waits for the slot (RateLimitedError), as it does
// when Voice Partner refuses the platform's own account (key, credit, standing).
// - Every member gets one outcome: sent (the campaign id as external_id), failed (per message,
//   handed over to its next channel like the single path), or uncertain when the request's
//   outcome is unknown (never resent).
// - Numbers Voice Partner refuses by name fail alone; the rest go again in a follow-up request.
// - A run that dies mid-batch leaves its members `sending` with its message as leader: the
//   leader's job, run again (stalled, or re-added by the sweeper), calls them uncertain. A job
//   finding its message in another leader's batch waits for that batch to end.
import { setTimeout as sleep } from 'node:timers/promises';
import {
  DeliveryRefusedError,
  NotNowError,
  PermanentError,
  RateLimitedError,
  UnknownOutcomeError,
  errorCodeOf,
} from '../errors.js';
import { LIMITS, TIMEOUTS_MS } from '../config/worker.config.js';
import { whileDatabaseAway } from '../db/while-database-away.js';
import { holdPlatformChannel } from './channel-pauses.js';
import type { VoiceRequestPace } from '../redis/voice-request-pace.js';
import type { SendingWindow } from '../schedule/sending-window.js';
import {
  RecipientsRefusedError,
  VOICE_PLATFORM_REFUSAL_CODES,
  type VoiceCampaignSender,
} from '../channels/voice-partner-sender.js';
import { claimRaced, type Failure } from './message-ledger.js';
import {
  claimVoiceBatch,
  markInterruptedBatchUncertain,
  markVoiceBatchUncertain,
  recordVoiceBatchDryRun,
  recordVoiceBatchSent,
  releaseVoiceBatch,
  releaseVoiceMembers,
  voiceMessageState,
  type VoiceBatchMember,
} from './voice-batch-ledger.js';
import {
  fail,
  failRefusals,
  failRefusedNumbers,
  ordinary,
  type BatchProgress,
  type VoiceFailureDeps,
} from './voice-batch-failures.js';

export interface SendVoiceBatchExactlyOnceDeps extends VoiceFailureDeps {
  window: SendingWindow;
  sender: VoiceCampaignSender;
  pace: VoiceRequestPace;
  dryRun: boolean;
  /** The notifyUrl for a batch (named by its leader), or null to send none. */
  notifyUrl: ((leaderId: string) => string) | null;
  /** Aborted when the process stops: a batch waiting for a request slot gives its claims back. */
  stopping?: AbortSignal;
}

export interface SendVoiceBatchInput {
  messageId: string;
  /** The job's last attempt: a transient failure now fails the batch for good. */
  finalAttempt: boolean;
  signal?: AbortSignal;
}

export type SendVoiceBatchResult =
  | { outcome: 'sent'; campaignId: string | null; sent: number; failed: number }
  | { outcome: 'failed'; failed: number }
  | { outcome: 'dry_run'; messages: number }
  | { outcome: 'skipped'; status: string };

const INTERRUPTED = {
  code: 'INTERRUPTED_DURING_SEND',
  message: 'a previous attempt stopped while Voice Partner may have accepted the batch',
};

export async function sendVoiceBatchExactlyOnce(
  deps: SendVoiceBatchExactlyOnceDeps,
  input: SendVoiceBatchInput,
): Promise<SendVoiceBatchResult> {
  const { sql } = deps;
  const batch = await claimVoiceBatch(sql, input.messageId, LIMITS.voiceNumbersPerRequest);
  if (batch.length === 0) return alreadyTaken(deps, input.messageId);
  deps.logger.setBindings({ accountId: batch[0]!.accountId, channel: 'ringless_voice', batch: batch.length });

  const screened = await failRefusals(deps, batch).catch(async (err: unknown) => {
    // Nothing was sent: what is still claimed goes back rather than turn uncertain on the next run.
    await releaseVoiceBatch(sql, ids(batch));
    throw err;
  });
  const { members } = screened;
  if (members.length === 0) return settled(screened.permanent, { outcome: 'failed', failed: screened.failed });

  const open = await holdClosedWindows(deps, input.messageId, members);
  if (open.length === 0) return settled(screened.permanent, { outcome: 'failed', failed: screened.failed });
  if (deps.dryRun) {
    await recordVoiceBatchDryRun(sql, ids(open));
    return { outcome: 'dry_run', messages: open.length };
  }
  return sendInRequests(deps, input, { ...screened, members: open });
}

/**
 * The members whose recipients may be called now (the window is in each recipient's time zone);
 * the others go back to wait for their own opening. While the leader's recipient must wait, the
 * whole batch does (its job sends the batch): NotNowError until that opening.
 */
async function holdClosedWindows(
  deps: SendVoiceBatchExactlyOnceDeps,
  leaderId: string,
  members: VoiceBatchMember[],
): Promise<VoiceBatchMember[]> {
  const now = new Date();
  const openings = new Map(members.map((m) => [m.id, deps.window.nextOpening(now, m.recipientPhone)]));
  const open = members.filter((m) => openings.get(m.id)! <= now);
  const leaderOpening = openings.get(leaderId);
  const leaderWaits = leaderOpening !== undefined && leaderOpening > now;
  const released = members
    .filter((m) => leaderWaits || openings.get(m.id)! > now)
    .map((m) => ({ id: m.id, dueAt: openings.get(m.id)! > now ? openings.get(m.id)! : null }));
  if (released.length > 0) await releaseVoiceMembers(deps.sql, released);
  if (leaderWaits) throw new NotNowError('OUTSIDE_SENDING_WINDOW', 'outside the sending window', leaderOpening);
  return open;
}

/**
 * One request per group, the whole batch first: numbers refused by name drop out and the rest go
 * again; a refusal naming none splits its group in two, until the refused numbers stand alone.
 */
async function sendInRequests(
  deps: SendVoiceBatchExactlyOnceDeps,
  input: SendVoiceBatchInput,
  progress: BatchProgress,
): Promise<SendVoiceBatchResult> {
  const groups = [progress.members];
  let { failed } = progress;
  let sent = 0;
  let campaignId: string | null = null;
  for (let group = groups.pop(), requests = 0; group; group = groups.pop(), requests++) {
    try {
      await takeRequestSlot(deps, { followUp: requests > 0, signal: input.signal });
      ({ campaignId } = await deps.sender.send({
        messageIds: ids(group),
        tokenAudio: group[0]!.tokenAudio!,
        sender: group[0]!.fixedPhone,
        numbers: group.map((m) => m.recipientPhone),
        notifyUrl: deps.notifyUrl ? deps.notifyUrl(input.messageId) : null,
        signal: input.signal,
      }));
    } catch (err) {
      const next = err instanceof RecipientsRefusedError ? await afterRefusal(deps, group, err) : null;
      if (next) {
        failed += next.failed;
        groups.push(...next.again);
        continue;
      }
      // The groups not tried yet go back; this group's outcome is the job's.
      if (groups.length > 0) await releaseVoiceBatch(deps.sql, ids(groups.flat()));
      return settled(await settleFailure(deps, group, err, input.finalAttempt), {
        outcome: 'failed',
        failed: failed + group.length,
      });
    }
    // From here Voice Partner has the campaign: recording outlasts a short database outage; if it
    // still fails, the rows stay `sending` and the leader's next run calls them uncertain.
    await whileDatabaseAway(() => recordVoiceBatchSent(deps.sql, ids(group), campaignId));
    sent += group.length;
  }
  return settled(
    progress.permanent,
    sent > 0 ? { outcome: 'sent', campaignId, sent, failed } : { outcome: 'failed', failed },
  );
}

/**
 * What follows a refusal of some numbers of the group: the named ones fail (and are handed over)
 * and the rest go again; with none named, its two halves go apart. (A lone number is always named.)
 */
async function afterRefusal(
  deps: SendVoiceBatchExactlyOnceDeps,
  group: VoiceBatchMember[],
  err: RecipientsRefusedError,
): Promise<{ failed: number; again: VoiceBatchMember[][] } | null> {
  if (err.numbers.length === 0) {
    const half = Math.ceil(group.length / 2);
    return group.length > 1 ? { failed: 0, again: [group.slice(half), group.slice(0, half)] } : null;
  }
  const remaining = await failRefusedNumbers(deps, group, err);
  return { failed: group.length - remaining.length, again: remaining.length > 0 ? [remaining] : [] };
}

/**
 * Takes the platform's next request slot. With none open, the queue waits and the claims go back
 * (RateLimitedError); a follow-up request of the batch (what a refusal left to send) waits for its
 * slot here first, for a while, since the claims going back would lose what the refusal taught —
 * unless the job is cancelled or the process stops meanwhile.
 */
async function takeRequestSlot(
  deps: SendVoiceBatchExactlyOnceDeps,
  { followUp, signal }: { followUp: boolean; signal?: AbortSignal },
): Promise<void> {
  const waitUntil = Date.now() + (followUp ? TIMEOUTS_MS.voiceFollowUpSlotWait : 0);
  const stop = AbortSignal.any([signal, deps.stopping].filter((s) => s !== undefined));
  for (let slot = await deps.pace.take(); slot; slot = await deps.pace.take()) {
    const waited =
      slot.getTime() <= waitUntil &&
      (await sleep(slot.getTime() - Date.now(), true, { signal: stop }).catch(() => false));
    if (!waited)
      throw new RateLimitedError(
        'VOICE_REQUEST_PACE',
        "the platform's next Voice Partner request slot is not open yet",
        Math.max(0, slot.getTime() - Date.now()),
      );
  }
}

async function alreadyTaken(deps: SendVoiceBatchExactlyOnceDeps, messageId: string): Promise<SendVoiceBatchResult> {
  const interrupted = await markInterruptedBatchUncertain(deps.sql, messageId, INTERRUPTED);
  if (interrupted > 0)
    throw new UnknownOutcomeError(INTERRUPTED.code, `${INTERRUPTED.message} (${interrupted} message(s) now uncertain)`);
  const state = await voiceMessageState(deps.sql, messageId);
  if (!state) throw new PermanentError('MESSAGE_NOT_FOUND', `message ${messageId} does not exist`);
  if (state.status === 'sending') {
    // Another job's batch has it: its outcome comes with that batch.
    throw new NotNowError(
      'VOICE_IN_ANOTHER_BATCH',
      `the message is in the batch of message ${state.leader ?? 'unknown'}`,
      new Date(Date.now() + TIMEOUTS_MS.voiceBatchRecheck),
    );
  }
  // Not due yet (its recipient's window opens later): its job waits until then.
  if (state.status === 'pending' && state.scheduledAt && state.scheduledAt.getTime() > Date.now())
    throw new NotNowError('NOT_DUE_YET', 'the message waits for its recipient’s sending window', state.scheduledAt);
  if (state.status === 'pending') throw claimRaced();
  return { outcome: 'skipped', status: state.status };
}

/** The failure of a request for every member still in it; returns the failure the job must report, if any. */
async function settleFailure(
  deps: SendVoiceBatchExactlyOnceDeps,
  members: readonly VoiceBatchMember[],
  err: unknown,
  finalAttempt: boolean,
): Promise<Failure | null> {
  const { sql } = deps;
  if (err instanceof DeliveryRefusedError) {
    const failure = { code: err.code, message: err.message, blame: err.blame };
    await fail(deps, members, failure);
    return ordinary(err.blame) ? null : failure;
  }
  if (err instanceof UnknownOutcomeError) {
    await markVoiceBatchUncertain(sql, ids(members), { code: err.code, message: err.message });
    throw err;
  }
  if (err instanceof RateLimitedError) {
    // Voice Partner's limit is the platform's: no request from any worker before it says.
    await deps.pace.postpone(new Date(Date.now() + err.retryAfterMs));
    // They hold every account's voice until a person fixes the platform's account: said at error level.
    if (VOICE_PLATFORM_REFUSAL_CODES.has(err.code)) {
      deps.logger.error({ errorCode: err.code, err: err.message }, 'Voice Partner refuses the platform account');
      const until = new Date(Date.now() + err.retryAfterMs);
      await holdPlatformChannel(sql, 'ringless_voice', { code: err.code, message: err.message }, until);
    }
  }
  if (err instanceof RateLimitedError || !finalAttempt) {
    await releaseVoiceBatch(sql, ids(members));
    throw err;
  }
  deps.logger.warn({ errorCode: errorCodeOf(err) }, 'last attempt failed: the batch fails for good');
  const failure = {
    code: errorCodeOf(err),
    message: err instanceof Error ? err.message : String(err),
    blame: 'message' as const,
  };
  await fail(deps, members, failure);
  return failure;
}

/** The result, or the failure that needs a person (after every outcome is recorded). */
function settled(permanent: Failure | null, result: SendVoiceBatchResult): SendVoiceBatchResult {
  if (permanent) throw new PermanentError(permanent.code, permanent.message);
  return result;
}

const ids = (members: readonly VoiceBatchMember[]) => members.map((m) => m.id);
