// A contact starts as a `pending` message row. Creating it reserves what it will use — one
// credit on metered channels, one slot of the account's daily WhatsApp cap — in the same
// transaction, so concurrent hunts of one account can never promise more than it has. It holds
// the account's allocation lock, like a hunt's allocation, so its checks see every other
// creator's contacts; the one-live-contact indexes are the final guard.
import { isUniqueViolation, type Queryable, type Sql } from '../db/client.js';
import { lockAccountAllocation } from './account-allocation-lock.js';
import { isMetered, type Channel } from '../channel.js';
import { MessageRejectedError, type MessageRejection } from './message-rejection.js';

export interface NewMessage {
  accountId: string;
  adId: string;
  channel: Channel;
  /** E.164. */
  recipientPhone: string;
  content: string | null;
  templateId?: string | null;
  huntId?: string | null;
  dailyRunId?: string | null;
  /** The OUTREACH_TIMEZONE day whose quotas the message uses (YYYY-MM-DD). */
  localDate: string;
  scheduledAt?: Date | null;
  /** The account's WhatsApp cap for the day (used for whatsapp_text). */
  whatsappDailyCap: number;
}

export type CreateMessageResult =
  { created: true; messageId: string; recipientPhone: string } | { created: false; reason: MessageRejection };

/**
 * Reserves and inserts inside the caller's transaction; throws MessageRejectedError so the
 * caller's transaction (or savepoint) rolls the reservation back.
 */
async function reserveAndInsertMessage(tx: Queryable, m: NewMessage): Promise<string> {
  await lockAccountAllocation(tx, m.accountId);
  const [blocked] = await tx<{ reason: MessageRejection }[]>`
    select 'SUPPRESSED' as reason from suppressed_phone_numbers where phone_number = ${m.recipientPhone}
    union all
    select 'ALREADY_CONTACTED' from contacted_ads where account_id = ${m.accountId} and ad_id = ${m.adId}
    union all
    select 'ALREADY_CONTACTED' from messages
      where account_id = ${m.accountId} and ad_id = ${m.adId} and status <> 'failed'
    union all
    select 'SELLER_CONTACTED_TODAY' from messages
      where account_id = ${m.accountId} and recipient_phone = ${m.recipientPhone} and local_date = ${m.localDate}
        and status <> 'failed'
    union all
    select 'CHANNEL_PAUSED' from active_channel_pauses where account_id = ${m.accountId} and channel = ${m.channel}
    limit 1`;
  if (blocked) throw new MessageRejectedError(blocked.reason);

  if (isMetered(m.channel)) {
    const reserved = `${m.channel}_reserved`;
    const reservation = await tx`
      update credit_balances set ${tx(reserved)} = ${tx(reserved)} + 1, updated_at = now()
      where account_id = ${m.accountId} and ${tx(m.channel)} - ${tx(reserved)} >= 1`;
    if (reservation.count === 0) throw new MessageRejectedError('INSUFFICIENT_CREDITS');
  } else {
    if (m.whatsappDailyCap <= 0) throw new MessageRejectedError('DAILY_CAP_REACHED');
    const slot = await tx`
      insert into account_daily_sends (account_id, channel, local_date, reserved, daily_cap)
      values (${m.accountId}, ${m.channel}, ${m.localDate}, 1, ${m.whatsappDailyCap})
      on conflict (account_id, channel, local_date) do update set reserved = account_daily_sends.reserved + 1
      where account_daily_sends.reserved < account_daily_sends.daily_cap`;
    if (slot.count === 0) throw new MessageRejectedError('DAILY_CAP_REACHED');
  }

  const [row] = await tx<{ id: string }[]>`
    insert into messages (account_id, ad_id, hunt_id, template_id, channel, content, recipient_phone, daily_run_id,
                          local_date, scheduled_at, credit_state)
    values (${m.accountId}, ${m.adId}, ${m.huntId ?? null}, ${m.templateId ?? null}, ${m.channel}, ${m.content},
            ${m.recipientPhone}, ${m.dailyRunId ?? null}, ${m.localDate}, ${m.scheduledAt ?? null},
            ${isMetered(m.channel) ? 'reserved' : 'none'})
    on conflict do nothing
    returning id`;
  if (!row) throw new MessageRejectedError('ALREADY_CONTACTED');
  return row.id;
}

export async function createMessage(sql: Sql, m: NewMessage): Promise<CreateMessageResult> {
  try {
    const messageId = await sql.begin((tx) => reserveAndInsertMessage(tx, m));
    return { created: true, messageId, recipientPhone: m.recipientPhone };
  } catch (err) {
    if (err instanceof MessageRejectedError) return { created: false, reason: err.reason };
    // The contacted_ads trigger refuses like a unique index (a history row written meanwhile).
    if (isUniqueViolation(err)) return { created: false, reason: 'ALREADY_CONTACTED' };
    throw err;
  }
}
