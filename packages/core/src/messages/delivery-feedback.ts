// What comes back after the provider accepted a message: receipts (delivered, read) and replies.
// Every provider path (WhatsApp events, SMSMobileAPI push or poll) goes through these two
// functions, so a receipt never moves a message backwards and a reply is handled once.
import type { Sql, Transaction } from '../db/client.js';
import type { Channel } from '../channel.js';
import { suppressPhoneNumber } from './message-ledger.js';
import { isOptOutReply } from './opt-out.js';

export type Receipt = 'delivered' | 'read';

/**
 * A receipt for the account's message with this provider id. The status only moves forward
 * (a late "delivered" after "read" only records its time). Returns the message id, or null if
 * no sent message of the account has that id.
 */
export async function recordReceipt(
  sql: Sql,
  receipt: { accountId: string; externalId: string; status: Receipt; at: Date },
): Promise<string | null> {
  const readAt = receipt.status === 'read' ? receipt.at : null;
  const [row] = await sql<{ id: string }[]>`
    update messages set
      status = case when message_feedback_rank(${receipt.status}::message_status) > message_feedback_rank(status)
                    then ${receipt.status}::message_status else status end,
      delivered_at = coalesce(delivered_at, ${receipt.at}),
      read_at = coalesce(read_at, ${readAt}),
      updated_at = now()
    where account_id = ${receipt.accountId} and external_id = ${receipt.externalId}
      and status in ('sent', 'delivered', 'read', 'replied')
    returning id`;
  return row?.id ?? null;
}

export interface InboundMessage {
  accountId: string;
  channel: Channel;
  /** The sender, E.164. */
  phone: string;
  body: string;
  receivedAt: Date;
  /** The provider's id of the reply: the same reply seen twice is handled once. */
  externalId: string;
}

export type InboundOutcome =
  | { outcome: 'reply'; answersMessageId: string; optOut: boolean }
  /** STOP from someone the account never contacted: suppressed, not stored. */
  | { outcome: 'opt_out' }
  /** Someone the account never contacted: the dealer's own traffic, not ours to keep. */
  | { outcome: 'ignored' }
  | { outcome: 'duplicate' };

/**
 * A text received by the account. From a person it contacted, it is stored and marks the latest
 * message to that person `replied`; STOP and its variants suppress the number whoever sends it.
 */
export async function recordInboundMessage(sql: Sql, inbound: InboundMessage): Promise<InboundOutcome> {
  return sql.begin((tx) => recordInboundMessageIn(tx, inbound));
}

/** The same, inside the caller's transaction (a webhook records its delivery with the reply). */
export async function recordInboundMessageIn(tx: Transaction, inbound: InboundMessage): Promise<InboundOutcome> {
  const optOut = isOptOutReply(inbound.body);
  const [answered] = await tx<{ id: string }[]>`
    select id from messages
    where account_id = ${inbound.accountId} and recipient_phone = ${inbound.phone}
      and status in ('sent', 'delivered', 'read', 'replied')
    order by sent_at desc limit 1
    for update`;
  if (optOut) await suppressPhoneNumber(tx, inbound.phone, `STOP reply (${inbound.channel})`, inbound.channel);
  if (!answered) return optOut ? { outcome: 'opt_out' } : { outcome: 'ignored' };
  const stored = await tx`
    insert into inbound_messages
      (account_id, channel, phone_number, body, received_at, external_id, answers_message_id, opt_out)
    values (${inbound.accountId}, ${inbound.channel}, ${inbound.phone}, ${inbound.body}, ${inbound.receivedAt},
            ${inbound.externalId}, ${answered.id}, ${optOut})
    on conflict (account_id, channel, external_id) do nothing`;
  if (stored.count === 0) return { outcome: 'duplicate' };
  await tx`
    update messages set status = 'replied', replied_at = coalesce(replied_at, ${inbound.receivedAt}), updated_at = now()
    where id = ${answered.id}`;
  return { outcome: 'reply', answersMessageId: answered.id, optOut };
}
