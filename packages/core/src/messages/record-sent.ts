// The provider accepted messages: each one sent, its credit consumed once (usage row tied to the
// message), lead and contacted_ads written — one statement for any number of messages, so one
// round trip and atomic on its own. An `uncertain` row is settled too: a slow first attempt's
// truth wins over a later run that could not know.
import type { Sql } from '../db/client.js';

export interface SentMessage {
  id: string;
  externalId: string | null;
}

/** Records the sends; returns the ids whose row moved (a row that had moved on is left alone). */
export async function recordSentMessages(sql: Sql, sends: readonly SentMessage[]): Promise<Set<string>> {
  // Each CTE feeds on the one before, so nothing is written unless a guarded row moved; a message
  // row is written once (Postgres cannot update a row twice in one statement). Rows are locked in
  // id order, as every batch of the ledger does, so two batches cannot deadlock on them.
  const rows = await sql<{ id: string }[]>`
    with input as (
      select distinct on (id) * from unnest(${sql.array(sends.map((s) => s.id))}::uuid[],
                           ${sql.array(sends.map((s) => s.externalId))}::text[]) as i(id, external_id)
    ), claimed as (
      select m.id, m.account_id, m.ad_id, m.hunt_id, m.channel, m.credit_state, i.external_id
      from messages m join input i on i.id = m.id
      where m.status in ('sending', 'uncertain') order by m.id for update of m
    ), lead as (
      insert into leads (account_id, hunt_id, ad_id, stage)
      select distinct on (account_id, ad_id) account_id, hunt_id, ad_id, 'contacted' from claimed
      order by account_id, ad_id
      on conflict (account_id, ad_id) do update set stage = 'contacted' where leads.stage = 'new'
      returning id, account_id, ad_id
    ), sent as (
      update messages m set status = 'sent', external_id = c.external_id, sent_at = now(), updated_at = now(),
        error_code = null, error_message = null,
        credit_state = case when c.credit_state = 'reserved' then 'consumed'::credit_state else m.credit_state end,
        lead_id = coalesce(l.id, (select e.id from leads e where e.account_id = c.account_id and e.ad_id = c.ad_id))
      from claimed c left join lead l on l.account_id = c.account_id and l.ad_id = c.ad_id
      where m.id = c.id
      returning m.id, c.account_id, c.channel, c.credit_state = 'reserved' as consumes
    ), consumed as (
      select account_id, count(*) filter (where channel = 'sms')::int as sms,
             count(*) filter (where channel = 'ringless_voice')::int as voice
      from sent where consumes group by account_id
    ), balance as (
      update credit_balances b set sms = b.sms - c.sms, sms_reserved = b.sms_reserved - c.sms,
        ringless_voice = b.ringless_voice - c.voice, ringless_voice_reserved = b.ringless_voice_reserved - c.voice,
        updated_at = now()
      from consumed c where b.account_id = c.account_id
      returning b.account_id, b.sms + c.sms as sms_before, b.ringless_voice + c.voice as voice_before
    ), usage as (
      -- One usage row per message, each with the balance after it, in id order.
      insert into credit_transactions (account_id, type, channel, amount, balance_after, reference_id, message_id)
      select s.account_id, 'usage', s.channel, -1,
        case when s.channel = 'sms' then b.sms_before else b.voice_before end
          - row_number() over (partition by s.account_id, s.channel order by s.id), s.id::text, s.id
      from sent s join balance b on b.account_id = s.account_id where s.consumes
    ), contacted as (
      insert into contacted_ads (ad_id, account_id, channel) select ad_id, account_id, channel from claimed
      on conflict (account_id, ad_id, channel) do nothing
    )
    select id from sent`;
  return new Set(rows.map((r) => r.id));
}
