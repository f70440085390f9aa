// State transitions of one message. Postgres is the source of truth: every transition is guarded
// in its WHERE clause, so a retry, a stalled-job re-run or a second worker finds the row already
// moved and does nothing. Credits and daily slots move in the same transaction as the status.
import type { Queryable, Sql } from '../db/client.js';
import { NotNowError, type FailureBlame } from '../errors.js';
import { TIMEOUTS_MS } from '../config/worker.config.js';
import { isMetered, type Channel } from '../channel.js';
import { pauseChannel } from './channel-pauses.js';

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

/**
 * A claim that found nothing, then the row `pending`: another run released it in between. The job
 * claims again shortly rather than complete and leave the message to a sweeper whose re-add BullMQ
 * would ignore while it keeps the finished job.
 */
export function claimRaced(): NotNowError {
  return new NotNowError(
    'CLAIM_RACED',
    'another run released the message while this one tried to claim it',
    new Date(Date.now() + TIMEOUTS_MS.claimRaceRetry),
  );
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
 * The provider accepted the message: sent, credit consumed once (usage row tied to the message),
 * lead and contacted_ads written — one statement, so one round trip and atomic on its own. An
 * `uncertain` row is settled too: a slow first attempt's truth wins over a later run that could
 * not know. Returns false if the row had moved on.
 */
export async function recordSent(sql: Sql, m: ClaimedMessage, externalId: string | null): Promise<boolean> {
  // Each CTE feeds on the one before, so nothing is written unless the guarded row moved; the
  // message row is written once (Postgres cannot update a row twice in one statement).
  const rows = await sql`
    with claimed as (
      select id, account_id, ad_id, hunt_id, channel, credit_state from messages
      where id = ${m.id} and status in ('sending', 'uncertain') for update
    ), lead as (
      insert into leads (account_id, hunt_id, ad_id, stage) select account_id, hunt_id, ad_id, 'contacted' from claimed
      on conflict (account_id, ad_id) do update set stage = 'contacted' where leads.stage = 'new'
      returning id
    ), sent as (
      update messages m set status = 'sent', external_id = ${externalId}, sent_at = now(), updated_at = now(),
        error_code = null, error_message = null,
        credit_state = case when c.credit_state = 'reserved' then 'consumed'::credit_state else m.credit_state end,
        lead_id = coalesce((select id from lead),
          (select l.id from leads l where l.account_id = c.account_id and l.ad_id = c.ad_id))
      from claimed c where m.id = c.id
      returning m.id, c.account_id, c.channel, c.credit_state = 'reserved' as consumes
    ), balance as (
      update credit_balances b set
        sms = b.sms - (s.channel = 'sms')::int, sms_reserved = b.sms_reserved - (s.channel = 'sms')::int,
        ringless_voice = b.ringless_voice - (s.channel = 'ringless_voice')::int,
        ringless_voice_reserved = b.ringless_voice_reserved - (s.channel = 'ringless_voice')::int, updated_at = now()
      from sent s where b.account_id = s.account_id and s.consumes
      returning b.account_id, s.id as message_id, s.channel,
        case when s.channel = 'sms' then b.sms else b.ringless_voice end as after
    ), usage as (
      insert into credit_transactions (account_id, type, channel, amount, balance_after, reference_id, message_id)
      select account_id, 'usage', channel, -1, after, message_id::text, message_id from balance
    ), contacted as (
      insert into contacted_ads (ad_id, account_id, channel) select ad_id, account_id, channel from claimed
      on conflict (account_id, ad_id, channel) do nothing
    )
    select id from sent`;
  return rows.length > 0;
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
export async function recordFailed(tx: Queryable, m: ClaimedMessage, failure: Failure): Promise<boolean> {
  const updated = await tx`
    update messages set status = 'failed', error_code = ${failure.code}, error_message = ${failure.message},
      failure_blame = ${failure.blame}, updated_at = now()
    where id = ${m.id} and status in ('sending', 'uncertain')`;
  if (updated.count === 0) return false;
  await releaseReservation(tx, m);
  if (failure.blame === 'sender') {
    await pauseChannel(tx, m.accountId, m.channel, { code: failure.code, message: failure.message });
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
