// Sends one message exactly once. The row is claimed (pending → sending) before the provider is
// called and the outcome recorded after, so a second run of the same job — retry, stalled job,
// duplicate — either finds a final status and does nothing, or finds `sending` (a run died after
// the provider may have accepted) and marks it `uncertain` instead of sending again.
import type { Sql } from '../db/client.js';
import { decryptSecret, DecryptionError } from '../crypto/secret-box.js';
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
import type { LineMember, SendPacer } from '../redis/send-pacer.js';
import type { ChannelSenders, OutboundMessage } from '../channels/channel-sender.js';
import { RATE_LIMIT_SCOPE } from '../config/worker.config.js';
import type { Channel } from '../channel.js';
import { isMobile } from '../phone/phone-number.js';
import { whileDatabaseAway } from '../db/while-database-away.js';
import { failMessage, type HandedOver, type NextChannel } from './fail-message.js';
import type { SendingWindow } from '../schedule/sending-window.js';
import {
  claimMessage,
  claimRaced,
  markUncertain,
  messageStatus,
  recordDryRun,
  recordSent,
  releaseClaim,
  type ClaimedMessage,
  type MessageStatus,
  type SendingContext,
} from './message-ledger.js';

export interface SendExactlyOnceDeps {
  sql: Sql;
  /** Outside it, a message waits for the next opening. */
  window: SendingWindow;
  senders: ChannelSenders;
  pacer: SendPacer;
  smsKeyEncryptionKey: string;
  dryRun: boolean;
  logger: Logger;
  nextChannel?: NextChannel;
}

type Sender = { accountId: string; channel: Channel };

export interface SendExactlyOnceInput {
  messageId: string;
  /**
   * Set for a job run again (held back by pacing, mostly): the account's turn is checked before
   * the claim, so a job whose slot is not free leaves its row alone instead of claiming and
   * releasing it. A first run claims first, so a message that cannot go (a paused channel, a
   * suppressed number) fails, and is handed over, at once rather than wait for a slot.
   */
  checkTurnFirst?: Sender | null;
  /**
   * Sent ahead of its account's waiting messages (a manual contact, a hand-over, the account's first
   * message of the channel): held back by pacing, it takes a place at the front of the account's line.
   */
  firstInLine?: boolean;
  /** The job's last attempt: a transient failure now fails the message for good. */
  finalAttempt: boolean;
  signal?: AbortSignal;
}

export type SendMessageResult =
  | { outcome: 'sent'; externalId: string | null }
  | { outcome: 'dry_run' }
  | { outcome: 'failed'; code: string; blame: 'recipient' | 'paused'; handedOver: HandedOver | null }
  | { outcome: 'skipped'; status: MessageStatus };

export async function sendExactlyOnce(
  deps: SendExactlyOnceDeps,
  input: SendExactlyOnceInput,
): Promise<SendMessageResult> {
  const { sql } = deps;
  const line = { messageId: input.messageId, first: input.firstInLine ?? false };
  if (input.checkTurnFirst && !deps.dryRun) await waitForTurn(deps, input.checkTurnFirst, line);
  const claimed = await claimMessage(sql, input.messageId);
  if (!claimed) return alreadyClaimed(deps, input.messageId);
  // The job's logger is this job's own: from here on, its lines name the account too.
  deps.logger.setBindings({
    accountId: claimed.accountId,
    channel: claimed.channel,
    ...(claimed.huntId ? { huntId: claimed.huntId } : {}),
  });

  let externalId: string | null;
  try {
    const outbound = prepare(deps, claimed);
    const opening = deps.window.nextOpening(new Date(), claimed.recipientPhone);
    if (opening.getTime() > Date.now())
      throw new NotNowError('OUTSIDE_SENDING_WINDOW', 'outside the sending window', opening);
    if (deps.dryRun) {
      await recordDryRun(sql, claimed);
      return { outcome: 'dry_run' };
    }
    await takeSendSlot(deps, { accountId: claimed.accountId, channel: claimed.channel }, line);
    ({ externalId } = await deps.senders[outbound.channel].send({ ...outbound, signal: input.signal }));
  } catch (err) {
    return settleFailure(deps, claimed, err, input.finalAttempt);
  }
  // From here the provider has the message: recording outlasts a short database outage; if it
  // still fails, the row stays `sending` and the next run marks it uncertain — never sent again.
  await whileDatabaseAway(() => recordSent(sql, claimed, externalId));
  return { outcome: 'sent', externalId };
}

/** Takes the account's next send slot on the channel, or says when this message's turn comes (PACING). */
async function takeSendSlot(deps: SendExactlyOnceDeps, sender: Sender, line: LineMember): Promise<void> {
  const nextSlot = await deps.pacer.reserve(sender.accountId, sender.channel, line);
  if (nextSlot) throw new NotNowError('PACING', 'the sender must wait before its next message', nextSlot);
}

/**
 * A job run again asks whether its turn has come before it claims, so a message whose slot is not
 * free leaves its row alone. Nothing is taken here: the slot is taken right before the call, so a
 * message that then does not go (a closed window, already final) spends no slot. Redis failing
 * here is left to that taking, whose failure is settled like any other.
 */
async function waitForTurn(deps: SendExactlyOnceDeps, sender: Sender, line: LineMember): Promise<void> {
  const turn = await deps.pacer.check(sender.accountId, sender.channel, line).catch(() => null);
  if (turn) throw new NotNowError('PACING', 'the sender must wait before its next message', turn);
}

async function alreadyClaimed(deps: SendExactlyOnceDeps, messageId: string): Promise<SendMessageResult> {
  const status = await messageStatus(deps.sql, messageId);
  if (status === null) throw new PermanentError('MESSAGE_NOT_FOUND', `message ${messageId} does not exist`);
  if (status === 'pending') throw claimRaced();
  if (status !== 'sending') return { outcome: 'skipped', status };
  const failure = {
    code: 'INTERRUPTED_DURING_SEND',
    message: 'a previous attempt stopped while the provider may have accepted the message',
  };
  await markUncertain(deps.sql, messageId, failure);
  throw new UnknownOutcomeError(failure.code, failure.message);
}

/** Everything the provider call needs, checked before it is made. */
function prepare(deps: SendExactlyOnceDeps, m: ClaimedMessage & SendingContext): OutboundMessage {
  if (!m.accountExists)
    throw new DeliveryRefusedError('ACCOUNT_NOT_FOUND', 'the sending account no longer exists', 'message');
  if (m.suppressed)
    throw new DeliveryRefusedError('RECIPIENT_SUPPRESSED', 'the recipient asked never to be contacted', 'recipient');
  if (m.paused)
    throw new DeliveryRefusedError('CHANNEL_PAUSED', `the channel is paused for this account (${m.paused})`, 'paused');
  if (m.channel === 'ringless_voice')
    throw new DeliveryRefusedError(
      'VOICE_SENT_IN_BATCHES',
      'ringless voice is sent by the voice queue, in batches',
      'message',
    );
  if (!isMobile(m.recipientPhone))
    throw new DeliveryRefusedError('RECIPIENT_NOT_MOBILE', 'SMS and WhatsApp need a mobile number', 'recipient');
  return {
    messageId: m.id,
    accountId: m.accountId,
    channel: m.channel,
    recipient: m.recipientPhone,
    text: m.content,
    smsApiKey: m.channel === 'sms' ? decryptSmsKey(m.smsApiKey, deps.smsKeyEncryptionKey) : null,
  };
}

function decryptSmsKey(stored: string | null, key: string): string {
  if (!stored) throw new DeliveryRefusedError('SMS_KEY_MISSING', 'the account has no SMSMobileAPI key', 'sender');
  try {
    return decryptSecret(stored, key);
  } catch (err) {
    if (err instanceof DecryptionError)
      throw new DeliveryRefusedError(
        'SMS_KEY_UNDECRYPTABLE',
        'the stored SMSMobileAPI key cannot be decrypted',
        'sender',
      );
    throw err;
  }
}

async function settleFailure(
  deps: SendExactlyOnceDeps,
  m: ClaimedMessage,
  failure: unknown,
  finalAttempt: boolean,
): Promise<SendMessageResult> {
  const { sql, logger } = deps;
  const err = await accountScoped(deps, m, failure);
  if (err instanceof DeliveryRefusedError) return refuse(deps, m, err.code, err.message, err.blame);
  if (err instanceof UnknownOutcomeError) {
    await markUncertain(sql, m.id, { code: err.code, message: err.message });
    throw err;
  }
  const retried = err instanceof NotNowError || err instanceof RateLimitedError || !finalAttempt;
  if (retried) {
    await releaseClaim(sql, m.id, err instanceof NotNowError ? err.resumeAt : null);
    throw err;
  }
  logger.warn({ errorCode: errorCodeOf(err) }, 'last attempt failed: the message fails for good');
  return refuse(deps, m, errorCodeOf(err), err instanceof Error ? err.message : String(err), 'message');
}

/**
 * A 429 on an account's own key or number holds back that account only: its pacing slot moves to
 * the provider's time and this job waits for it, while other accounts keep sending.
 */
async function accountScoped(deps: SendExactlyOnceDeps, m: ClaimedMessage, err: unknown): Promise<unknown> {
  if (!(err instanceof RateLimitedError) || RATE_LIMIT_SCOPE[m.channel] !== 'account') return err;
  const resumeAt = new Date(Date.now() + err.retryAfterMs);
  await deps.pacer.postpone(m.accountId, m.channel, resumeAt);
  return new NotNowError(
    err.code,
    `${err.message}; this account's messages wait until ${resumeAt.toISOString()}`,
    resumeAt,
  );
}

async function refuse(
  deps: SendExactlyOnceDeps,
  m: ClaimedMessage,
  code: string,
  message: string,
  blame: FailureBlame,
): Promise<SendMessageResult> {
  // A contact this channel cannot take is ordinary business (the next channel may); anything
  // else needs a person, so the job fails visibly.
  const ordinary = blame === 'recipient' || blame === 'paused';
  const handedOver = await failMessage(
    deps.sql,
    m,
    { code, message, blame },
    ordinary && deps.nextChannel ? { nextChannel: deps.nextChannel } : {},
  );
  if (ordinary) return { outcome: 'failed', code, blame, handedOver };
  throw new PermanentError(code, message);
}
