// Postgres is the truth, Redis only carries ids: if Redis lost jobs (flushed, restored from an
// old snapshot), every message that may have lost its job gets it again. Adding a job whose id
// already exists does nothing, so this is always safe.
import { messagesToRedispatch, type Logger, type SendingWindow } from '@auto-prospect/core';
import type { Sql } from '@auto-prospect/core/clients';
import { dispatchMessages } from './dispatch.js';
import type { Queues } from './queues.js';

const PAGE = 1000;

export async function sweepPendingMessages(deps: {
  sql: Sql;
  queues: Queues;
  window: SendingWindow;
  logger: Logger;
}): Promise<{ redispatched: number }> {
  let after = '00000000-0000-0000-0000-000000000000';
  let total = 0;
  for (;;) {
    const page = await messagesToRedispatch(deps.sql, after, PAGE);
    if (page.length === 0) break;
    await dispatchMessages(deps.queues, deps.window, page);
    total += page.length;
    after = page.at(-1)!.id;
  }
  deps.logger.info({ messages: total }, 'pending messages swept');
  return { redispatched: total };
}
