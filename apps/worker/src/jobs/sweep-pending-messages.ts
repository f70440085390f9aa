// Postgres is the truth, Redis only carries ids: if Redis lost jobs (flushed, restored from an
// old snapshot), every message still pending — or left `sending` by a job that vanished — gets
// its job again, and so does the leader of a voice batch with members left `sending` (its job
// settles them, even when its own message has its outcome). Adding a job whose id already
// exists does nothing, so this is always safe.
import type { Logger } from '@auto-prospect/core';
import type { Sql } from '@auto-prospect/core/clients';
import type { PendingDispatch } from '@auto-prospect/core';
import { dispatchMessages } from './dispatch.js';
import type { Queues } from './queues.js';

const PAGE = 1000;

export async function sweepPendingMessages(deps: { sql: Sql; queues: Queues; logger: Logger }): Promise<{ redispatched: number }> {
  let after = '00000000-0000-0000-0000-000000000000';
  let total = 0;
  for (;;) {
    // Priorities rank each account's messages within the page: fair enough for a recovery pass.
    const page = await deps.sql<PendingDispatch[]>`
      select id, channel, "sendAt", row_number() over (partition by account_id, channel order by "sendAt" nulls first, id)::int as priority
      from (select id, account_id, channel, scheduled_at as "sendAt" from messages
            where (status in ('pending', 'sending') or id in (select voice_batch_leader from messages where status = 'sending'))
              and id > ${after} order by id limit ${PAGE}) p
      order by id`;
    if (page.length === 0) break;
    await dispatchMessages(deps.queues, page);
    total += page.length;
    after = page.at(-1)!.id;
  }
  deps.logger.info({ messages: total }, 'pending messages swept');
  return { redispatched: total };
}
