// A verified SMSMobileAPI Webhook V2 event, handled once: the delivery is written to the event
// ledger in the same transaction as its effect, so a redelivery (at-least-once) or a crash in
// between can neither lose nor double it. A reply goes through recordInboundMessage (the poll of
// /getsms/ does too: a reply both paths see is stored once, by its guid).
import type { SmsWebhookEvent } from '../channels/smsmobileapi-webhook.js';
import type { Sql } from '../db/client.js';
import { toE164 } from '../phone/phone-number.js';
import { lockAccountAllocation } from './account-allocation-lock.js';
import { recordInboundMessageIn } from './delivery-feedback.js';
import { failSentMessage, SMS_FAILED_ON_PHONE } from './fail-sent-message.js';
import type { HandedOver, NextChannel } from './fail-message.js';

export interface SmsWebhookResult {
  /** The same event was handled before. */
  duplicate: boolean;
  /** What it did, for the log line (never the text or the number). */
  effect: string;
  messageId: string | null;
  /** The contact's message on its next channel, to dispatch once committed. */
  handedOver: HandedOver | null;
}

const result = (
  effect: string,
  messageId: string | null = null,
  handedOver: HandedOver | null = null,
): SmsWebhookResult => ({ duplicate: false, effect, messageId, handedOver });

export async function recordSmsWebhookEvent(
  deps: { sql: Sql; nextChannel: NextChannel; today: string },
  accountId: string,
  event: SmsWebhookEvent,
): Promise<SmsWebhookResult> {
  return deps.sql.begin(async (tx) => {
    const first = await tx`
      insert into provider_webhook_events (provider, event_id, account_id, event_type)
      values ('smsmobileapi', ${event.id}, ${accountId}, ${event.type})
      on conflict (provider, account_id, event_id) do nothing`;
    if (first.count === 0) return { ...result('duplicate'), duplicate: true };

    switch (event.kind) {
      case 'received': {
        const phone = toE164(event.from);
        // A sender that is no phone number (a carrier's short code) is nobody the account contacted.
        if (!phone) return result('ignored');
        const inbound = await recordInboundMessageIn(tx, {
          accountId,
          channel: 'sms',
          phone,
          body: event.message,
          receivedAt: event.receivedAt,
          externalId: event.guid,
        });
        return result(inbound.outcome, inbound.outcome === 'reply' ? inbound.answersMessageId : null);
      }
      case 'sent': {
        // The phone really sent it. SMS gives no delivery receipt: the status stays `sent`.
        const [sent] =
          event.guid === null
            ? []
            : await tx<{ id: string }[]>`
          update messages set handset_sent_at = coalesce(handset_sent_at, ${event.at}), updated_at = now()
          where account_id = ${accountId} and channel = 'sms' and external_id = ${event.guid}
          returning id`;
        return sent ? result('handset_sent', sent.id) : result('unknown_message');
      }
      case 'failed': {
        if (event.guid === null) return result('unknown_message');
        // The allocation lock before the message row, in the order every contact creator takes them.
        await lockAccountAllocation(tx, accountId);
        // Handed on to the next channel like a recipient failure: this number did not get it here.
        const failed = await failSentMessage(tx, {
          accountId,
          channel: 'sms',
          externalId: event.guid,
          code: SMS_FAILED_ON_PHONE,
          reason: event.reason,
          blame: 'recipient',
        });
        if (!failed) return result('unknown_message');
        // Handed over only on the day it was planned for: a late report does not plan a past day.
        const handedOver = failed.localDate === deps.today ? await deps.nextChannel(tx, failed) : null;
        return result('failed_on_phone', failed.id, handedOver);
      }
      case 'other':
        return result('unhandled_type');
    }
  });
}
