// whatsapp_sessions and the channel pause that a broken session implies.
import type { Queryable, Sql } from '../db/client.js';
import { pauseChannel } from '../messages/channel-pauses.js';

/** The session works: a pause for a broken session (no end time) ends; a timed one keeps its end. */
export async function markSessionConnected(sql: Sql, accountId: string): Promise<void> {
  await sql.begin(async (tx) => {
    await tx`
      insert into whatsapp_sessions (account_id, is_connected, is_disconnected, last_connected_at)
      values (${accountId}, true, false, now())
      on conflict (account_id) do update set is_connected = true, is_disconnected = false, last_connected_at = now(),
        updated_at = now()`;
    await tx`
      delete from account_channel_pauses
      where account_id = ${accountId} and channel = 'whatsapp_text' and paused_until is null`;
  });
}

/** The session cannot be used until the account is linked again (logged out, banned, replaced). */
export async function markSessionDisconnected(
  sql: Sql,
  accountId: string,
  reasonCode: string,
  reason: string,
): Promise<void> {
  await sql.begin(async (tx) => {
    await tx`
      update whatsapp_sessions set is_connected = false, is_disconnected = true, updated_at = now()
      where account_id = ${accountId}`;
    await pauseWhatsApp(tx, accountId, reasonCode, reason);
  });
}

export async function pauseWhatsApp(
  sql: Queryable,
  accountId: string,
  reasonCode: string,
  reason: string,
): Promise<void> {
  await pauseChannel(sql, accountId, 'whatsapp_text', { code: reasonCode, message: reason });
}

/**
 * Linked accounts that may still hear back about recent WhatsApp messages: a session that works
 * (connected once, not since cut off) and a message sent within `days` that has not been answered.
 */
export async function accountsAwaitingWhatsAppFeedback(sql: Sql, days: number): Promise<string[]> {
  const rows = await sql<{ accountId: string }[]>`
    select s.account_id as "accountId" from whatsapp_sessions s
    where s.credentials is not null and not s.is_disconnected and s.last_connected_at is not null
      and exists (select 1 from messages m where m.account_id = s.account_id and m.channel = 'whatsapp_text'
                  and m.status in ('sent', 'delivered', 'read')
                  and m.sent_at > now() - make_interval(days => ${days}))`;
  return rows.map((r) => r.accountId);
}

export interface WhatsAppSessionStatus {
  linked: boolean;
  connected: boolean;
  disconnected: boolean;
  lastConnectedAt: Date | null;
  /** The reason code of an active pause of the account's WhatsApp. */
  pausedFor: string | null;
}

/** The account's WhatsApp session as an operator sees it; null if the account does not exist. */
export async function whatsAppSessionStatus(sql: Sql, accountId: string): Promise<WhatsAppSessionStatus | null> {
  const [row] = await sql<WhatsAppSessionStatus[]>`
    select w.credentials is not null as linked, coalesce(w.is_connected, false) as connected,
           coalesce(w.is_disconnected, false) as disconnected,
           w.last_connected_at as "lastConnectedAt", p.reason_code as "pausedFor"
    from accounts a left join whatsapp_sessions w on w.account_id = a.id
    left join active_channel_pauses p on p.account_id = a.id and p.channel = 'whatsapp_text'
    where a.id = ${accountId}`;
  return row ?? null;
}
