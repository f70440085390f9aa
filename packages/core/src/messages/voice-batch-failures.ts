// Failing members of a voice batch, each with what follows its failure: the reservation released,
// a STOP-listed number suppressed, the channel paused for a sender's setup, or the contact handed
// over to its next channel when the recipient was the reason.
import type { Sql } from '../db/client.js';
import type { FailureBlame } from '../errors.js';
import type { Logger } from '../logging/logger.js';
import type { RecipientsRefusedError } from '../channels/voice-partner-sender.js';
import { failMessage, type HandedOver, type NextChannel } from './fail-message.js';
import type { Failure } from './message-ledger.js';
import type { VoiceBatchMember } from './voice-batch-ledger.js';

export interface VoiceFailureDeps {
  sql: Sql;
  logger: Logger;
  /** Hands a contact Voice Partner cannot reach to its next channel, and dispatches what it creates. */
  handOver?: { nextChannel: NextChannel; dispatch(next: HandedOver): Promise<void> };
}

const OPT_OUT_CODES = new Set(['VOICE_RECIPIENT_OPTED_OUT']);

/** The members still to send, with the failures recorded so far. */
export interface BatchProgress {
  members: VoiceBatchMember[];
  failed: number;
  /** The first failure that needs a person, reported once every outcome is recorded. */
  permanent: Failure | null;
}

/** What the request needs, checked before it is made: a message that cannot go fails alone. */
export async function failRefusals(deps: VoiceFailureDeps, batch: VoiceBatchMember[]): Promise<BatchProgress> {
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

/** Those numbers were the reason nothing went: they fail; returns the others, to go again without them. */
export async function failRefusedNumbers(
  deps: VoiceFailureDeps,
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
export const ordinary = (blame: FailureBlame) => blame === 'recipient' || blame === 'paused';

/** Fails each message for good (with what follows: suppression, pause, hand-over). */
export async function fail(
  deps: VoiceFailureDeps,
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
