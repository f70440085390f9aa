// What a channel job needs to be (re)created for a message: its id, queue, time and rank.
import type { Channel } from '../channel.js';
import type { Sql } from '../db/client.js';

export interface PendingDispatch {
  id: string;
  accountId: string;
  channel: Channel;
  /** Its job waits for the recipient's sending window too (their own time zone). */
  recipientPhone: string;
  sendAt: Date | null;
  /** BullMQ priority (1 = first): the message's rank in its account's queue for the channel. */
  priority: number;
}

/**
 * One page, in id order after `afterId`, of the messages whose job may be missing: pending, left
 * `sending` by a job that vanished, or leading a voice batch with members left `sending` (its job
 * settles them, even when its own message has its outcome). Priorities rank each account's
 * messages within the page: fair enough for a recovery pass.
 */
export function messagesToRedispatch(sql: Sql, afterId: string, limit: number): Promise<PendingDispatch[]> {
  return sql<PendingDispatch[]>`
    select id, account_id as "accountId", channel, "recipientPhone", "sendAt",
           row_number() over (partition by account_id, channel order by "sendAt" nulls first, id)::int as priority
    from (select id, account_id, channel, recipient_phone as "recipientPhone", scheduled_at as "sendAt" from messages
          where (status in ('pending', 'sending')
                 or id in (select voice_batch_leader from messages where status = 'sending'))
            and id > ${afterId} order by id limit ${limit}) p
    order by id`;
}
