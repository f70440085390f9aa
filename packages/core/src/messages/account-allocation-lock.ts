// Every writer of an account's contacts (a hunt's allocation, a hand-over, a manual contact) takes
// this transaction-scoped advisory lock first, so each plans from what the previous one wrote:
// hunts of one account are serialised, different accounts allocate in parallel.
import type { Queryable } from '../db/client.js';

/** Waits for the account's allocation lock; it is held until the transaction ends. */
export async function lockAccountAllocation(tx: Queryable, accountId: string): Promise<void> {
  await tx`select pg_advisory_xact_lock(hashtextextended(${`allocation:${accountId}`}, 0))`;
}
