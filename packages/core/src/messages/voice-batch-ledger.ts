// State transitions of a ringless voice batch: the message-ledger's rules (guarded transitions,
// credit reserved → consumed once per message, usage row, lead and contacted_ads), each written
// for the whole batch in one statement, so a batch of 500 costs a handful of round trips.
// Failures stay per message (fail-message.ts): each may hand its contact to another channel.
import type { Sql, Transaction } from '../db/client.js';
import type { ClaimedMessage } from './message-ledger.js';

/** A claimed voice message with what its request needs. */
export interface VoiceBatchMember extends ClaimedMessage {
  accountExists: boolean;
  /** The account's number, the campaign's sender. */
  fixedPhone: string | null;
  tokenAudio: string | null;
  /** The reason code of an active pause of voice for the account. */
  paused: string | null;
  suppressed: boolean;
}

/**
 * pending → sending in one statement: the leader's message and the due pending voice messages of
 * its account with the same audio, up to `limit`, one per number. Rows another batch is claiming
 * are skipped, never waited for. Empty when the leader's message is not pending, or not due yet
 * (it waits for its recipient's window): a job never leads a batch before its own message is due.
 */
export async function claimVoiceBatch(sql: Sql, leaderId: string, limit: number): Promise<VoiceBatchMember[]> {
  // Leaders of one account claim one after the other: two claiming at once would split the
  // account's due messages between them (skip locked) and spend two requests where one does.
  return sql.begin(async (tx) => {
    await tx`
      select pg_advisory_xact_lock(hashtextextended('voice-batch:' || account_id::text, 0))
      from messages where id = ${leaderId}`;
    return claimIn(tx, leaderId, limit);
  });
}

async function claimIn(tx: Transaction, leaderId: string, limit: number): Promise<VoiceBatchMember[]> {
  return tx<VoiceBatchMember[]>`
    with leader as (
      select m.id, m.account_id, m.recipient_phone, t.voice_partner_token_audio as token
      from messages m left join message_templates t on t.id = m.template_id
      where m.id = ${leaderId} and m.status = 'pending' and m.channel = 'ringless_voice'
        and (m.scheduled_at is null or m.scheduled_at <= now())
      for update of m
    ), due as (
      select m.id, m.recipient_phone, m.scheduled_at
      from messages m join leader l on m.account_id = l.account_id
      left join message_templates t on t.id = m.template_id
      where m.channel = 'ringless_voice' and m.status = 'pending' and m.id <> l.id
        and (m.scheduled_at is null or m.scheduled_at <= now())
        and t.voice_partner_token_audio is not distinct from l.token
        and m.recipient_phone is distinct from l.recipient_phone
      order by m.scheduled_at nulls first, m.id
      limit ${limit - 1}
      for update of m skip locked
    ), members as (
      select id from leader
      union all
      -- A number twice in one request would be one voicemail for two messages: the second waits.
      select id from (
        select distinct on (recipient_phone) id from due order by recipient_phone, scheduled_at nulls first, id
      ) d
    ), claimed as (
      update messages set status = 'sending', claimed_at = now(), updated_at = now(), voice_batch_leader = ${leaderId}
      where id in (select id from members) and status = 'pending'
      returning id, account_id, ad_id, hunt_id, template_id, channel, content, recipient_phone, local_date, daily_run_id
    )
    select c.id, c.account_id as "accountId", c.ad_id as "adId", c.hunt_id as "huntId",
           c.template_id as "templateId", c.channel, c.content, c.recipient_phone as "recipientPhone",
           c.local_date::text as "localDate", c.daily_run_id as "dailyRunId",
           a.id is not null as "accountExists", a.fixed_phone_number as "fixedPhone",
           t.voice_partner_token_audio as "tokenAudio", p.reason_code as paused,
           exists (select 1 from suppressed_phone_numbers s where s.phone_number = c.recipient_phone) as suppressed
    from claimed c
    left join accounts a on a.id = c.account_id
    left join message_templates t on t.id = c.template_id
    left join active_channel_pauses p on p.account_id = c.account_id and p.channel = c.channel
    order by c.id = ${leaderId} desc, c.id`;
}

/** Where a voice message is, whose batch holds it while `sending`, and when it is due. */
export async function voiceMessageState(
  sql: Sql,
  messageId: string,
): Promise<{ status: string; leader: string | null; scheduledAt: Date | null } | null> {
  const [row] = await sql<{ status: string; leader: string | null; scheduledAt: Date | null }[]>`
    select status, voice_batch_leader as leader, scheduled_at as "scheduledAt" from messages where id = ${messageId}`;
  return row ?? null;
}

/**
 * sending → pending for members whose recipients' windows are closed, each due at its own
 * opening (null: unchanged), in one statement: none is left `sending` without a job to settle it.
 */
export async function releaseVoiceMembers(
  sql: Sql,
  releases: readonly { id: string; dueAt: Date | null }[],
): Promise<void> {
  await sql`
    update messages m set status = 'pending', claimed_at = null, voice_batch_leader = null, updated_at = now(),
      scheduled_at = coalesce(r.due_at, m.scheduled_at)
    from unnest(${sql.array(releases.map((r) => r.id))}::uuid[],
                ${sql.array(releases.map((r) => r.dueAt?.toISOString() ?? null))}::timestamptz[]) as r(id, due_at)
    where m.id = r.id and m.status = 'sending'`;
}

/** sending → pending: nothing reached the provider (or it asked us to come back later). */
export async function releaseVoiceBatch(
  sql: Sql,
  ids: readonly string[],
  scheduledAt: Date | null = null,
): Promise<void> {
  await sql`
    update messages set status = 'pending', claimed_at = null, voice_batch_leader = null, updated_at = now(),
      scheduled_at = coalesce(${scheduledAt}, scheduled_at)
    where id = any(${sql.array([...ids])}::uuid[]) and status = 'sending'`;
}

/** sending → uncertain: Voice Partner may have them. Never resent automatically; reservations stay. */
export async function markVoiceBatchUncertain(
  sql: Sql,
  ids: readonly string[],
  failure: { code: string; message: string },
): Promise<number> {
  const moved = await sql`
    update messages set status = 'uncertain', error_code = ${failure.code}, error_message = ${failure.message},
      updated_at = now()
    where id = any(${sql.array([...ids])}::uuid[]) and status = 'sending'`;
  return moved.count;
}

/**
 * Members of this leader's batch still `sending` when its job runs: an earlier run of the job
 * stopped while Voice Partner may have had them. (A row claimed before batches existed names no
 * leader: its own job is its leader.)
 */
export async function markInterruptedBatchUncertain(
  sql: Sql,
  leaderId: string,
  failure: { code: string; message: string },
): Promise<number> {
  const moved = await sql`
    update messages set status = 'uncertain', error_code = ${failure.code}, error_message = ${failure.message},
      updated_at = now()
    where status = 'sending' and channel = 'ringless_voice'
      and (voice_batch_leader = ${leaderId} or (id = ${leaderId} and voice_batch_leader is null))`;
  return moved.count;
}

/**
 * Voice Partner accepted the campaign: every message sent with its id, one credit consumed per
 * message (one usage row each, balances after in turn), leads and contacted_ads written. An
 * `uncertain` row is settled too, as recordSent does. Returns how many rows moved.
 */
export async function recordVoiceBatchSent(
  sql: Sql,
  ids: readonly string[],
  campaignId: string | null,
): Promise<number> {
  const rows = await sql`
    with claimed as (
      select id, account_id, ad_id, hunt_id, channel, credit_state from messages
      where id = any(${sql.array([...ids])}::uuid[]) and status in ('sending', 'uncertain') for update
    ), lead as (
      insert into leads (account_id, hunt_id, ad_id, stage)
      select distinct on (account_id, ad_id) account_id, hunt_id, ad_id, 'contacted' from claimed
      order by account_id, ad_id
      on conflict (account_id, ad_id) do update set stage = 'contacted' where leads.stage = 'new'
      returning id, account_id, ad_id
    ), sent as (
      update messages m set status = 'sent', external_id = ${campaignId}, sent_at = now(), updated_at = now(),
        error_code = null, error_message = null,
        credit_state = case when c.credit_state = 'reserved' then 'consumed'::credit_state else m.credit_state end,
        lead_id = coalesce(l.id, (select e.id from leads e where e.account_id = c.account_id and e.ad_id = c.ad_id))
      from claimed c left join lead l on l.account_id = c.account_id and l.ad_id = c.ad_id
      where m.id = c.id
      returning m.id, c.account_id, c.credit_state = 'reserved' as consumes
    ), consumed as (
      select account_id, count(*)::int as n from sent where consumes group by account_id
    ), balance as (
      update credit_balances b set ringless_voice = b.ringless_voice - c.n,
        ringless_voice_reserved = b.ringless_voice_reserved - c.n, updated_at = now()
      from consumed c where b.account_id = c.account_id
      returning b.account_id, b.ringless_voice as after, c.n
    ), usage as (
      insert into credit_transactions (account_id, type, channel, amount, balance_after, reference_id, message_id)
      select s.account_id, 'usage', 'ringless_voice', -1,
        b.after + b.n - row_number() over (partition by s.account_id order by s.id), s.id::text, s.id
      from sent s join balance b on b.account_id = s.account_id where s.consumes
    ), contacted as (
      insert into contacted_ads (ad_id, account_id, channel) select ad_id, account_id, channel from claimed
      on conflict (account_id, ad_id, channel) do nothing
    )
    select id from sent`;
  return rows.length;
}

/** DRY_RUN: the lifecycle ran but nothing was sent, so the reserved credits go back. */
export async function recordVoiceBatchDryRun(sql: Sql, ids: readonly string[]): Promise<void> {
  await sql`
    with done as (
      update messages m set status = 'dry_run', updated_at = now(),
        credit_state = case when m.credit_state = 'reserved' then 'released'::credit_state else m.credit_state end
      from messages old where old.id = m.id and m.id = any(${sql.array([...ids])}::uuid[]) and m.status = 'sending'
      returning m.account_id, old.credit_state = 'reserved' as releases
    ), released as (
      select account_id, count(*)::int as n from done where releases group by account_id
    )
    update credit_balances b set ringless_voice_reserved = b.ringless_voice_reserved - r.n, updated_at = now()
    from released r where b.account_id = r.account_id`;
}
