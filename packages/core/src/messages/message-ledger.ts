// State transitions of one message. Postgres is the source of truth: every transition is guarded
// in its WHERE clause, so a retry, a stalled-job re-run or a second worker finds the row already
// moved and does nothing. Credits and daily slots move in the same transaction as the status.
import type { Queryable, Sql } from '../db/client.js';
import type { FailureBlame } from '../errors.js';
import { isMetered, type Channel } from './channel.js';

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
}

export type MessageStatus = 'pending' | 'sending' | 'sent' | 'delivered' | 'failed' | 'read' | 'replied' | 'uncertain' | 'dry_run';

/** pending → sending, for exactly one caller. */
export async function claimMessage(sql: Sql, messageId: string): Promise<ClaimedMessage | null> {
  const [row] = await sql<ClaimedMessage[]>`
    update messages set status = 'sending', claimed_at = now(), updated_at = now()
    where id = ${messageId} and status = 'pending'
    returning id, account_id as "accountId", ad_id as "adId", hunt_id as "huntId", template_id as "templateId",
              channel, content, recipient_phone as "recipientPhone", local_date::text as "localDate"`;
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

/** sending → uncertain: the provider may have it. Never resent automatically; the reservation stays. */
export async function markUncertain(sql: Sql, messageId: string, failure: { code: string; message: string }): Promise<void> {
  await sql`
    update messages set status = 'uncertain', error_code = ${failure.code}, error_message = ${failure.message}, updated_at = now()
    where id = ${messageId} and status = 'sending'`;
}

/**
 * The provider accepted the message: sent, credit consumed once (usage row tied to the message),
 * lead and contacted_ads written. An `uncertain` row is settled too: a slow first attempt's
 * truth wins over a later run that could not know. Returns false if the row had moved on.
 */
export async function recordSent(sql: Sql, m: ClaimedMessage, externalId: string | null): Promise<boolean> {
  return sql.begin(async (tx) => {
    const updated = await tx`
      update messages set status = 'sent', external_id = ${externalId}, sent_at = now(), updated_at = now(),
        error_code = null, error_message = null
      where id = ${m.id} and status in ('sending', 'uncertain')`;
    if (updated.count === 0) return false;
    if (isMetered(m.channel)) await consumeCredit(tx, m.id, m.accountId, m.channel);
    const [lead] = await tx<{ id: string }[]>`
      insert into leads (account_id, hunt_id, ad_id, stage) values (${m.accountId}, ${m.huntId}, ${m.adId}, 'contacted')
      on conflict (account_id, ad_id) do update set stage = 'contacted' where leads.stage = 'new'
      returning id`;
    await tx`
      update messages set lead_id = coalesce(${lead?.id ?? null}, (select id from leads where account_id = ${m.accountId} and ad_id = ${m.adId}))
      where id = ${m.id}`;
    await tx`
      insert into contacted_ads (ad_id, account_id, channel) values (${m.adId}, ${m.accountId}, ${m.channel})
      on conflict (account_id, ad_id, channel) do nothing`;
    return true;
  });
}

async function consumeCredit(tx: Queryable, messageId: string, accountId: string, channel: 'sms' | 'ringless_voice'): Promise<void> {
  const moved = await tx`update messages set credit_state = 'consumed' where id = ${messageId} and credit_state = 'reserved'`;
  if (moved.count === 0) return;
  const reserved = `${channel}_reserved`;
  const [balance] = await tx<{ after: number }[]>`
    update credit_balances set ${tx(channel)} = ${tx(channel)} - 1, ${tx(reserved)} = ${tx(reserved)} - 1, updated_at = now()
    where account_id = ${accountId}
    returning ${tx(channel)} as after`;
  await tx`
    insert into credit_transactions (account_id, type, channel, amount, balance_after, reference_id, message_id)
    values (${accountId}, 'usage', ${channel}, -1, ${balance!.after}, ${messageId}, ${messageId})`;
}

/** Gives back what the message reserved when it will never be sent. */
async function releaseReservation(tx: Queryable, m: ClaimedMessage): Promise<void> {
  if (isMetered(m.channel)) {
    const moved = await tx`update messages set credit_state = 'released' where id = ${m.id} and credit_state = 'reserved'`;
    if (moved.count === 0) return;
    const reserved = `${m.channel}_reserved`;
    await tx`update credit_balances set ${tx(reserved)} = ${tx(reserved)} - 1, updated_at = now() where account_id = ${m.accountId}`;
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
 * Failed for good: reservation released; a failure of the sender's setup also pauses the channel
 * for the account, with the reason, until someone fixes it.
 */
export async function recordFailed(sql: Sql, m: ClaimedMessage, failure: Failure, pausedUntil: Date | null = null): Promise<boolean> {
  return sql.begin(async (tx) => {
    const updated = await tx`
      update messages set status = 'failed', error_code = ${failure.code}, error_message = ${failure.message}, updated_at = now()
      where id = ${m.id} and status in ('sending', 'uncertain')`;
    if (updated.count === 0) return false;
    await releaseReservation(tx, m);
    if (failure.blame === 'sender') {
      await tx`
        insert into account_channel_pauses (account_id, channel, reason_code, reason, paused_until)
        values (${m.accountId}, ${m.channel}, ${failure.code}, ${failure.message}, ${pausedUntil})
        on conflict (account_id, channel) do update set reason_code = excluded.reason_code, reason = excluded.reason,
          paused_until = excluded.paused_until, created_at = now()`;
    }
    return true;
  });
}

/** DRY_RUN: the lifecycle ran but nothing was sent, so nothing is consumed. */
export async function recordDryRun(sql: Sql, m: ClaimedMessage): Promise<void> {
  await sql.begin(async (tx) => {
    const updated = await tx`update messages set status = 'dry_run', updated_at = now() where id = ${m.id} and status = 'sending'`;
    if (updated.count > 0) await releaseReservation(tx, m);
  });
}

export async function suppressPhoneNumber(sql: Queryable, phone: string, reason: string, channel: Channel | null): Promise<void> {
  await sql`
    insert into suppressed_phone_numbers (phone_number, reason, source_channel) values (${phone}, ${reason}, ${channel})
    on conflict (phone_number) do nothing`;
}
