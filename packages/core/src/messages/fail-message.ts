// A message that failed for good, recorded in one transaction with what follows from it: the
// number suppressed when the recipient opted out, and — when the failure is ordinary business
// (this channel cannot reach the recipient) — the contact's message on its next channel, so the
// contact is never left on no channel at all.
import type { Sql, Transaction } from '../db/client.js';
import { whileDatabaseAway } from '../db/while-database-away.js';
import { lockAccountAllocation } from './account-allocation-lock.js';
import type { Channel } from '../channel.js';
import { recordFailed, suppressPhoneNumber, type ClaimedMessage, type Failure } from './message-ledger.js';

/** A contact's next message, created when this channel cannot reach the recipient. */
export interface HandedOver {
  id: string;
  accountId: string;
  channel: Channel;
  recipientPhone: string;
  sendAt: Date;
}

/** Creates the contact's message on its next channel, inside the transaction that records the failure. */
export type NextChannel = (tx: Transaction, failed: ClaimedMessage) => Promise<HandedOver | null>;

export interface FailOptions {
  /** The recipient asked never to be contacted again. */
  suppress?: boolean;
  /** Set when the contact should go on to its next channel. */
  nextChannel?: NextChannel;
}

/** Returns the next channel's message, if one was created; nothing when the row had moved on. */
export async function failMessage(
  sql: Sql,
  m: ClaimedMessage,
  failure: Failure,
  options: FailOptions = {},
): Promise<HandedOver | null> {
  const { nextChannel } = options;
  // The outcome is known: recording it outlasts a short database outage.
  return whileDatabaseAway(() =>
    sql.begin(async (tx) => {
      // The account's allocation lock before its rows, in the order every contact creator takes them.
      if (nextChannel) await lockAccountAllocation(tx, m.accountId);
      const moved = await recordFailed(tx, m, failure);
      if (options.suppress) await suppressPhoneNumber(tx, m.recipientPhone, failure.code, m.channel);
      const next = moved && nextChannel ? await nextChannel(tx, m) : null;
      if (moved && !next && (failure.blame === 'sender' || failure.blame === 'paused')) await giveBackHuntPlace(tx, m);
      return next;
    }),
  );
}

/**
 * A contact that ends without reaching anyone because of the dealer's own setup or a pause (a
 * revoked key, say) gives its place in the hunt's day back: once the setup is fixed, running the
 * hunt again that day contacts other sellers. Its ad is not burned either (messages.failure_blame).
 * A contact counts once, whatever channels it was handed through, and only its last one ends here.
 */
export async function giveBackHuntPlace(tx: Transaction, m: ClaimedMessage): Promise<void> {
  if (!m.huntId || !m.localDate) return;
  await tx`
    update hunt_daily_contacts set contacts = contacts - 1
    where hunt_id = ${m.huntId} and local_date = ${m.localDate} and contacts > 0`;
}
