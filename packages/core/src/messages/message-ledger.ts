// State transitions of one message. Postgres is the source of truth: every transition is guarded
// in its WHERE clause, so a retry, a stalled-job re-run or a second worker finds the row already
// moved and does nothing. Credits and daily slots move in the same transaction as the status.
import type { Queryable, Sql } from '../db/client.js';
import type { FailureBlame } from '../errors.js';
import { isMetered, type Channel } from '../channel.js';
import { batchedCalls } from '../db/batched-calls.js';
import { pauseChannel } from './channel-pauses.js';
import { recordSentMessages, type SentMessage } from './record-sent.js';

export interface ClaimedMessage {
  id: string;
  accountId: string;
  adId: string;
  huntId: string | null;
  templateId: string | null;
  channel: Channel;
  content: string | null;
  recipientPhone: string;
  localDate: string | null;
  dailyRunId: string | null;
}

export type MessageStatus =
  'pending' | 'sending' | 'sent' | 'delivered' | 'failed' | 'read' | 'replied' | 'uncertain' | 'dry_run';

/** What sending needs to know besides the message, read with the claim. */
export interface SendingContext {
  accountExists: boolean;
  /** The account's encrypted SMSMobileAPI key. */
  smsApiKey: string | null;
  /** The reason code of an active pause of the message's channel for the account. */
  paused: string | null;
  suppressed: boolean;
}

/**
 * pending → sending, for exactly one caller, in one round trip with what sending needs (account,
 * pause, suppression).
 */
export async function claimMessage(sql: Sql, messageId: string): Promise<(ClaimedMessage & SendingContext) | null> {
  const [row] = await sql<(ClaimedMessage & SendingContext)[]>`
    with claimed as (
      update messages set status = 'sending', claimed_at = now(), updated_at = now()
      where id = ${messageId} and status = 'pending'
      returning id, account_id, ad_id, hunt_id, template_id, channel, content, recipient_phone, local_date, daily_run_id
    )
    select c.id, c.account_id as "accountId", c.ad_id as "adId", c.hunt_id as "huntId",
           c.template_id as "templateId", c.channel, c.content, c.recipient_phone as "recipientPhone",
           c.local_date::text as "localDate", c.daily_run_id as "dailyRunId",
           a.id is not null as "accountExists", a.sms_api_key as "smsApiKey", p.reason_code as paused,
           exists (select 1 from suppressed_phone_numbers s where s.phone_number = c.recipient_phone) as suppressed
    from claimed c
    left join accounts a on a.id = c.account_id
    left join active_channel_pauses p on p.account_id = c.account_id and p.channel = c.channel`;
  return row ?? null;
}

export async function messageStatus(sql: Sql, messageId: string): Promise<MessageStatus | null> {
  const [row] = await sql<{ status: MessageStatus }[]>`select status from messages where id = ${messageId}`;
  return row?.status ?? null;
}

/** sending → pending: nothing reached the provider (or it asked us to come back later). */
export async function releaseClaim(sql: Sql, messageId: string, scheduledAt: Date | null = null): Promise<void> {
  await sql`
    update messages set status = 'pending', claimed_at = null, updated_at = now(),
      scheduled_at = coalesce(${scheduledAt}, scheduled_at)
    where id = ${messageId} and status = 'sending'`;
}

/**
 * sending → uncertain: the provider may have it. Never resent automatically; the reservation
 * stays. Returns false if the row had moved on.
 */
export async function markUncertain(
  sql: Sql,
  messageId: string,
  failure: { code: string; message: string },
): Promise<boolean> {
  const moved = await sql`
    update messages set status = 'uncertain', error_code = ${failure.code}, error_message = ${failure.message},
      updated_at = now()
    where id = ${messageId} and status = 'sending'`;
  return moved.count > 0;
}

/**
 * Per pool: the records of one account's concurrent jobs share one statement (batched-calls.ts),
 * rather than each waiting for the one before to commit its update of the account's balance.
 */
const sentRecorders = new WeakMap<Sql, (send: SentMessage & { accountId: string }) => Promise<boolean>>();

/**
 * The provider accepted the message: recorded by recordSentMessages, with the account's other
 * messages recorded at the same time. Returns false if the row had moved on.
 */
export function recordSent(sql: Sql, m: ClaimedMessage, externalId: string | null): Promise<boolean> {
  let record = sentRecorders.get(sql);
  if (!record) {
    record = batchedCalls(
      (send) => send.accountId,
      async (sends) => {
        const moved = await recordSentMessages(sql, sends);
        // The same message twice in one batch moved once: the first of its calls says so.
        return sends.map((s) => moved.delete(s.id));
      },
    );
    sentRecorders.set(sql, record);
  }
  return record({ id: m.id, accountId: m.accountId, externalId });
}

/** Gives back what the message reserved when it will never be sent. */
async function releaseReservation(tx: Queryable, m: ClaimedMessage): Promise<void> {
  if (isMetered(m.channel)) {
    const moved =
      await tx`update messages set credit_state = 'released' where id = ${m.id} and credit_state = 'reserved'`;
    if (moved.count === 0) return;
    const reserved = `${m.channel}_reserved`;
    await tx`
      update credit_balances set ${tx(reserved)} = ${tx(reserved)} - 1, updated_at = now()
      where account_id = ${m.accountId}`;
  } else if (m.localDate) {
    await tx`
      update account_daily_sends set reserved = reserved - 1
      where account_id = ${m.accountId} and channel = ${m.channel} and local_date = ${m.localDate} and reserved > 0`;
  }
}

export interface Failure {
  code: string;
  message: string;
  blame: FailureBlame;
}

/**
 * Failed for good, inside the caller's transaction: reservation released; a failure of the
 * sender's setup also pauses the channel for the account, with the reason, until someone fixes
 * it. Returns false if the row had moved on.
 */
export async function recordFailed(
  tx: Queryable,
  m: ClaimedMessage,
  failure: Failure,
  pausedUntil: Date | null = null,
): Promise<boolean> {
  const updated = await tx`
    update messages set status = 'failed', error_code = ${failure.code}, error_message = ${failure.message},
      updated_at = now()
    where id = ${m.id} and status in ('sending', 'uncertain')`;
  if (updated.count === 0) return false;
  await releaseReservation(tx, m);
  if (failure.blame === 'sender') {
    await pauseChannel(tx, m.accountId, m.channel, { code: failure.code, message: failure.message }, pausedUntil);
  }
  return true;
}

/** DRY_RUN: the lifecycle ran but nothing was sent, so nothing is consumed. */
export async function recordDryRun(sql: Sql, m: ClaimedMessage): Promise<void> {
  await sql.begin(async (tx) => {
    const updated =
      await tx`update messages set status = 'dry_run', updated_at = now() where id = ${m.id} and status = 'sending'`;
    if (updated.count > 0) await releaseReservation(tx, m);
  });
}

export async function suppressPhoneNumber(
  sql: Queryable,
  phone: string,
  reason: string,
  channel: Channel | null,
): Promise<void> {
  await sql`
    insert into suppressed_phone_numbers (phone_number, reason, source_channel) values (${phone}, ${reason}, ${channel})
    on conflict (phone_number) do nothing`;
}
