// An SMS the provider accepted that the phone then could not send (Webhook V2 `sms.failed`): the
// recipient never got it, so it is `failed` with the reason, its consumed credit comes back (a
// `refund` transaction tied to the message, once), and the ad is no longer "contacted" on SMS, so
// the contact can go on to its next channel. The lead stays: the seller was chosen.
import type { Transaction } from '../db/client.js';
import type { ClaimedMessage } from './message-ledger.js';

export const SMS_FAILED_ON_PHONE = 'SMS_FAILED_ON_PHONE';

/**
 * sent → failed for the account's SMS with this send GUID, inside the caller's transaction.
 * Returns the message, or null when no `sent` SMS has that GUID (unknown, or already settled).
 */
export async function failSentSms(
  tx: Transaction,
  input: { accountId: string; guid: string; reason: string },
): Promise<ClaimedMessage | null> {
  const [failed] = await tx<(ClaimedMessage & { refund: boolean })[]>`
    with target as (
      select id, credit_state from messages
      where account_id = ${input.accountId} and channel = 'sms' and external_id = ${input.guid} and status = 'sent'
      for update
    )
    update messages m set status = 'failed', error_code = ${SMS_FAILED_ON_PHONE}, error_message = ${input.reason},
      updated_at = now(),
      credit_state = case when t.credit_state = 'consumed' then 'refunded'::credit_state else m.credit_state end
    from target t where m.id = t.id
    returning m.id, m.account_id as "accountId", m.ad_id as "adId", m.hunt_id as "huntId",
              m.template_id as "templateId", m.channel, m.content, m.recipient_phone as "recipientPhone",
              m.local_date::text as "localDate", m.daily_run_id as "dailyRunId",
              t.credit_state = 'consumed' as refund`;
  if (!failed) return null;
  if (failed.refund) {
    await tx`
      with balance as (
        update credit_balances set sms = sms + 1, updated_at = now()
        where account_id = ${failed.accountId} returning sms
      )
      insert into credit_transactions (account_id, type, channel, amount, balance_after, reference_id, message_id)
      select ${failed.accountId}, 'refund', 'sms', 1, sms, ${failed.id}, ${failed.id} from balance`;
  }
  await tx`
    delete from contacted_ads where account_id = ${failed.accountId} and ad_id = ${failed.adId} and channel = 'sms'`;
  return failed;
}
