// A message the provider accepted that then did not reach the recipient — an SMS the phone could
// not send (Webhook V2 `sms.failed`), a WhatsApp message refused with error 463: it is `failed`
// with the reason, a consumed credit comes back (a `refund` transaction tied to the message,
// once), and the ad is no longer "contacted" on that channel. The lead stays: the seller was chosen.
import type { Transaction } from '../db/client.js';
import type { Channel } from '../channel.js';
import type { FailureBlame } from '../errors.js';
import type { ClaimedMessage } from './message-ledger.js';

export const SMS_FAILED_ON_PHONE = 'SMS_FAILED_ON_PHONE';

export interface SentMessageFailure {
  accountId: string;
  channel: Channel;
  /** The provider's id of the send: SMSMobileAPI's GUID, the WhatsApp message key id. */
  externalId: string;
  code: string;
  reason: string;
  blame: FailureBlame;
}

/**
 * sent → failed for the account's message with this provider id, inside the caller's transaction.
 * Returns the message, or null when no `sent` message has that id (unknown, or already settled).
 */
export async function failSentMessage(tx: Transaction, input: SentMessageFailure): Promise<ClaimedMessage | null> {
  const [failed] = await tx<(ClaimedMessage & { refund: boolean })[]>`
    with target as (
      select id, credit_state from messages
      where account_id = ${input.accountId} and channel = ${input.channel} and external_id = ${input.externalId}
        and status = 'sent'
      for update
    )
    update messages m set status = 'failed', error_code = ${input.code}, error_message = ${input.reason},
      failure_blame = ${input.blame}, updated_at = now(),
      credit_state = case when t.credit_state = 'consumed' then 'refunded'::credit_state else m.credit_state end
    from target t where m.id = t.id
    returning m.id, m.account_id as "accountId", m.ad_id as "adId", m.hunt_id as "huntId",
              m.template_id as "templateId", m.channel, m.content, m.recipient_phone as "recipientPhone",
              m.local_date::text as "localDate", m.daily_run_id as "dailyRunId",
              t.credit_state = 'consumed' as refund`;
  if (!failed) return null;
  if (failed.refund) {
    // Only metered channels (sms, ringless_voice) consume credits: their balance column is the channel's name.
    await tx`
      with balance as (
        update credit_balances set ${tx(input.channel)} = ${tx(input.channel)} + 1, updated_at = now()
        where account_id = ${failed.accountId} returning ${tx(input.channel)} as after
      )
      insert into credit_transactions (account_id, type, channel, amount, balance_after, reference_id, message_id)
      select ${failed.accountId}, 'refund', ${input.channel}, 1, after, ${failed.id}, ${failed.id} from balance`;
  }
  await tx`
    delete from contacted_ads
    where account_id = ${failed.accountId} and ad_id = ${failed.adId} and channel = ${input.channel}`;
  return failed;
}
