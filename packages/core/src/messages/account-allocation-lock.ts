// Every writer of an account's contacts (a hunt's allocation, a hand-over, a manual contact) takes
// this transaction-scoped advisory lock first, so each plans from what the previous one wrote:
// hunts of one account are serialised, different accounts allocate in parallel.
import type { Queryable } from '../db/client.js';
import { NotNowError } from '../errors.js';

/** Postgres' lock_not_available: lock_timeout ran out. */
const LOCK_TIMED_OUT = '55P03';

/**
 * Waits for the account's allocation lock; it is held until the transaction ends. With `waitMs`
 * the wait gives up after that long (NotNowError ALLOCATION_BUSY, to try again as long after): a
 * hunt job must not keep its worker slot, which other accounts' hunts wait for, behind a stuck
 * transaction of its account. Writers that must finish what they started (a hand-over) wait.
 */
export async function lockAccountAllocation(tx: Queryable, accountId: string, waitMs?: number): Promise<void> {
  const lock = () => tx`select pg_advisory_xact_lock(hashtextextended(${`allocation:${accountId}`}, 0))`;
  if (waitMs === undefined) {
    await lock();
    return;
  }
  await tx`select set_config('lock_timeout', ${String(waitMs)}, true)`;
  try {
    await lock();
  } catch (err) {
    if ((err as { code?: string }).code !== LOCK_TIMED_OUT) throw err;
    throw new NotNowError(
      'ALLOCATION_BUSY',
      `another transaction of the account held its allocation lock for ${waitMs} ms`,
      new Date(Date.now() + waitMs),
    );
  }
  // The rest of the transaction waits for its row locks as it always did.
  await tx`set local lock_timeout to default`;
}
