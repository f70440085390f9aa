// Allocation of one ad to one channel (waterfall): the hunt's daily count, the channel's credit or
// daily slot and the message row are written in one transaction, so two workers on the same hunt,
// or two hunts of one account, can never exceed the hunt's limit or the account's balance.
import type { Sql } from '../db/client.js';
import { isMobile } from '../phone/phone-number.js';
import type { Channel } from '../messages/channel.js';
import { reserveAndInsertMessage } from '../messages/create-message.js';
import { MessageRejectedError, type MessageRejection } from '../messages/message-rejection.js';
import { renderTemplate } from '../templates/render-template.js';
import type { Candidate } from './select-candidates.js';
import type { PlannedChannel } from './hunt-plan.js';

export interface AllocationContext {
  huntId: string;
  accountId: string;
  localDate: string;
  dailyLimit: number | null;
  dailyRunId: string | null;
  whatsappDailyCap: number;
  /** When the channel's next message should go (sending window and pacing). */
  sendAt(channel: Channel): Date;
}

export type Allocation =
  | { allocated: true; messageId: string; channel: Channel; sendAt: Date }
  | { allocated: false; reasons: string[]; stop: boolean };

class DailyLimitReached extends Error {}
class NoChannelLeft extends Error {
  constructor(readonly reasons: string[]) {
    super('no channel could take the contact');
  }
}

/** Channels that can reach this recipient at all. */
function reachable(channel: Channel, phone: string): boolean {
  return channel === 'ringless_voice' || isMobile(phone);
}

/**
 * Counts the contact against the hunt's day (`countAgainstHunt`) and creates its message on the
 * first channel that takes it. A hand-over after a recipient failure passes false: the contact
 * was counted when first allocated.
 */
export async function allocateContact(
  sql: Sql, ctx: AllocationContext, candidate: Candidate, channels: readonly PlannedChannel[], countAgainstHunt = true,
): Promise<Allocation> {
  try {
    return await sql.begin(async (tx) => {
      if (countAgainstHunt) {
        const counted = await tx`
          insert into hunt_daily_contacts (hunt_id, local_date, contacts, daily_limit)
          values (${ctx.huntId}, ${ctx.localDate}, 1, ${ctx.dailyLimit})
          on conflict (hunt_id, local_date) do update set contacts = hunt_daily_contacts.contacts + 1
          where hunt_daily_contacts.daily_limit is null or hunt_daily_contacts.contacts < hunt_daily_contacts.daily_limit`;
        if (counted.count === 0) throw new DailyLimitReached();
      }
      const reasons: string[] = [];
      for (const planned of channels) {
        if (candidate.failedChannels.includes(planned.channel)) continue;
        if (!reachable(planned.channel, candidate.phone)) {
          reasons.push(`RECIPIENT_NOT_MOBILE:${planned.channel}`);
          continue;
        }
        const sendAt = ctx.sendAt(planned.channel);
        try {
          const messageId = await tx.savepoint((sp) => reserveAndInsertMessage(sp, {
            accountId: ctx.accountId, adId: candidate.adId, channel: planned.channel, recipientPhone: candidate.phone,
            content: planned.template === null ? null : renderTemplate(planned.template, candidate.values),
            templateId: planned.templateId, huntId: ctx.huntId, dailyRunId: ctx.dailyRunId, localDate: ctx.localDate,
            scheduledAt: sendAt, whatsappDailyCap: ctx.whatsappDailyCap,
          }));
          return { allocated: true as const, messageId, channel: planned.channel, sendAt };
        } catch (err) {
          if (!(err instanceof MessageRejectedError)) throw err;
          if (err.reason === 'ALREADY_CONTACTED' || err.reason === 'SUPPRESSED') throw new NoChannelLeft([err.reason]);
          reasons.push(rejection(err.reason, planned.channel));
        }
      }
      throw new NoChannelLeft(reasons);
    });
  } catch (err) {
    if (err instanceof DailyLimitReached) return { allocated: false, reasons: ['DAILY_LIMIT_REACHED'], stop: true };
    if (err instanceof NoChannelLeft) return { allocated: false, reasons: err.reasons, stop: false };
    throw err;
  }
}

const rejection = (reason: MessageRejection, channel: Channel) => `${reason}:${channel}`;
