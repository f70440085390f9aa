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
import type { Sql } from '../db/client.js';
import {
  DeliveryRefusedError,
  NotNowError,
  PermanentError,
  RateLimitedError,
  UnknownOutcomeError,
  errorCodeOf,
  type FailureBlame,
} from '../errors.js';
import type { Logger } from '../logging/logger.js';
import { LIMITS, TIMEOUTS_MS } from '../config/worker.config.js';
import { whileDatabaseAway } from '../db/while-database-away.js';
import type { VoiceRequestPace } from '../redis/voice-request-pace.js';
import type { SendingWindow } from '../schedule/sending-window.js';
import {
  RecipientsRefusedError,
  VOICE_PLATFORM_REFUSALS,
  type VoiceCampaignSender,
} from '../channels/voice-partner-sender.js';
import { failMessage, type HandedOver, type NextChannel } from './fail-message.js';
import type { Failure } from './message-ledger.js';
import {
  claimVoiceBatch,
  markInterruptedBatchUncertain,
  markVoiceBatchUncertain,
  recordVoiceBatchDryRun,
  recordVoiceBatchSent,
  releaseVoiceBatch,
  voiceMessageState,
  type VoiceBatchMember,
} from './voice-batch-ledger.js';

export interface SendVoiceBatchExactlyOnceDeps {
  sql: Sql;
  window: SendingWindow;
  sender: VoiceCampaignSender;
  pace: VoiceRequestPace;
  dryRun: boolean;
  logger: Logger;
  /** The notifyUrl for a batch (named by its leader), or null to send none. */
  notifyUrl: ((leaderId: string) => string) | null;
  /** Hands a contact Voice Partner cannot reach to its next channel, and dispatches what it creates. */
  handOver?: { nextChannel: NextChannel; dispatch(next: HandedOver): Promise<void> };
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

const OPT_OUT_CODES = new Set(['VOICE_RECIPIENT_OPTED_OUT']);
/** They hold every account's voice until a person fixes the platform's account: said at error level. */
const PLATFORM_REFUSAL_CODES = new Set(Object.values(VOICE_PLATFORM_REFUSALS));
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

  const opening = deps.window.nextOpening(new Date());
  if (opening.getTime() > Date.now()) {
    await releaseVoiceBatch(sql, ids(members), opening);
    throw new NotNowError('OUTSIDE_SENDING_WINDOW', 'outside the sending window', opening);
  }
  if (deps.dryRun) {
    await recordVoiceBatchDryRun(sql, ids(members));
    return { outcome: 'dry_run', messages: members.length };
  }
  return sendInRequests(deps, input, screened);
}

/** The members still to send, with the failures recorded so far. */
interface BatchProgress {
  members: VoiceBatchMember[];
  failed: number;
  /** The first failure that needs a person, reported once every outcome is recorded. */
  permanent: Failure | null;
}

/** What the request needs, checked before it is made: a message that cannot go fails alone. */
async function failRefusals(deps: SendVoiceBatchExactlyOnceDeps, batch: VoiceBatchMember[]): Promise<BatchProgress> {
  const refusals = batch.map((m) => ({ m, failure: refusal(m) }));
  let failed = 0;
  let permanent: Failure | null = null;
  for (const { m, failure } of refusals) {
    if (!failure) continue;
    await fail(deps, [m], failure);
    failed++;
    if (!ordinary(failure.blame)) permanent ??= failure;
  }
  return { members: refusals.filter((r) => !r.failure).map((r) => r.m), failed, permanent };
}

/** One request per pass; numbers refused by name drop out and the rest go again. */
async function sendInRequests(
  deps: SendVoiceBatchExactlyOnceDeps,
  input: SendVoiceBatchInput,
  { members, failed, permanent }: BatchProgress,
): Promise<SendVoiceBatchResult> {
  for (;;) {
    let campaignId: string | null;
    try {
      await takeRequestSlot(deps);
      ({ campaignId } = await deps.sender.send({
        messageIds: ids(members),
        tokenAudio: members[0]!.tokenAudio!,
        sender: members[0]!.fixedPhone,
        numbers: members.map((m) => m.recipientPhone),
        notifyUrl: deps.notifyUrl ? deps.notifyUrl(input.messageId) : null,
        signal: input.signal,
      }));
    } catch (err) {
      if (err instanceof RecipientsRefusedError && err.numbers.length < members.length) {
        const remaining = await failRefusedNumbers(deps, members, err);
        failed += members.length - remaining.length;
        members = remaining;
        continue;
      }
      return settled(await settleFailure(deps, members, err, input.finalAttempt), {
        outcome: 'failed',
        failed: failed + members.length,
      });
    }
    // From here Voice Partner has the campaign: recording outlasts a short database outage; if it
    // still fails, the rows stay `sending` and the leader's next run calls them uncertain.
    await whileDatabaseAway(() => recordVoiceBatchSent(deps.sql, ids(members), campaignId));
    return settled(permanent, { outcome: 'sent', campaignId, sent: members.length, failed });
  }
}

/** Takes the platform's next request slot; with none open, the queue waits (the claims go back). */
async function takeRequestSlot(deps: SendVoiceBatchExactlyOnceDeps): Promise<void> {
  const slot = await deps.pace.take();
  if (!slot) return;
  throw new RateLimitedError(
    'VOICE_REQUEST_PACE',
    "the platform's next Voice Partner request slot is not open yet",
    slot.getTime() - Date.now(),
  );
}

/** Those numbers were the reason nothing went: they fail; returns the others, to go again without them. */
async function failRefusedNumbers(
  deps: SendVoiceBatchExactlyOnceDeps,
  members: VoiceBatchMember[],
  err: RecipientsRefusedError,
): Promise<VoiceBatchMember[]> {
  const refused = members.filter((m) => err.numbers.includes(m.recipientPhone));
  await fail(deps, refused, { code: err.code, message: err.message, blame: err.blame });
  const remaining = members.filter((m) => !err.numbers.includes(m.recipientPhone));
  deps.logger.info(
    { errorCode: err.code, refused: refused.length, remaining: remaining.length },
    'numbers refused by name: the rest go again',
  );
  return remaining;
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
  return { outcome: 'skipped', status: state.status };
}

function refusal(m: VoiceBatchMember): Failure | null {
  if (!m.accountExists)
    return { code: 'ACCOUNT_NOT_FOUND', message: 'the sending account no longer exists', blame: 'message' };
  if (m.suppressed)
    return { code: 'RECIPIENT_SUPPRESSED', message: 'the recipient asked never to be contacted', blame: 'recipient' };
  if (m.paused)
    return { code: 'CHANNEL_PAUSED', message: `the channel is paused for this account (${m.paused})`, blame: 'paused' };
  if (!m.tokenAudio)
    return { code: 'VOICE_NO_AUDIO', message: 'the template has no Voice Partner audio token', blame: 'message' };
  return null;
}

/** A contact this channel cannot take is ordinary business (the next channel may); anything else needs a person. */
const ordinary = (blame: FailureBlame) => blame === 'recipient' || blame === 'paused';

/** Fails each message for good (with what follows: suppression, pause, hand-over). */
async function fail(
  deps: SendVoiceBatchExactlyOnceDeps,
  members: readonly VoiceBatchMember[],
  failure: Failure,
): Promise<void> {
  const handOver = ordinary(failure.blame) ? deps.handOver : undefined;
  for (const m of members) {
    const next = await failMessage(deps.sql, m, failure, {
      suppress: OPT_OUT_CODES.has(failure.code),
      ...(handOver ? { nextChannel: handOver.nextChannel } : {}),
    });
    if (next && handOver) await handOver.dispatch(next);
  }
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
    if (PLATFORM_REFUSAL_CODES.has(err.code))
      deps.logger.error({ errorCode: err.code, err: err.message }, 'Voice Partner refuses the platform account');
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
