// One account's volume or trouble never holds back another's: a small account's first messages
// go out ahead of a big account's backlog, and a 429 on one dealer's SMSMobileAPI key postpones
// only that dealer's messages.
import { describe, expect, it } from 'vitest';
import { createSendPacer, ROUTES } from '@auto-prospect/core';
import { testEnv } from '@auto-prospect/testkit';
import type { WorkerContext } from '../src/context.js';
import { seedSmsDealer, useSmsDealers } from './support/sms-dealers.js';

const dealers = useSmsDealers();
const auth = { authorization: `Bearer ${testEnv().API_SECRET!}` };

/** An SMS-only dealer with one hunt over `ads` ads of its own city. */
async function seedDealer(context: WorkerContext, options: { ads: number; zipcode: string; prefix: string }) {
  const dealer = await seedSmsDealer(context, dealers.sms, {
    ads: options.ads,
    zipcode: options.zipcode,
    phonePrefix: options.prefix,
  });
  return { ...dealer, huntId: dealer.huntIds[0]! };
}

async function pendingOf(context: WorkerContext, accountId: string): Promise<number> {
  const [row] = await context.sql<
    { n: number }[]
  >`select count(*)::int as n from messages where account_id = ${accountId} and status = 'pending'`;
  return row!.n;
}

async function runHunt(context: WorkerContext, huntId: string): Promise<void> {
  const response = await context.app.inject({
    method: 'POST',
    url: ROUTES.huntRun.replace(':huntId', huntId),
    headers: auth,
  });
  expect(response.statusCode).toBe(202);
}

describe('fairness between accounts', () => {
  it(
    "sends a small account's first message before a big account's 50th, though the big one was queued first",
    { timeout: 90_000 },
    async () => {
      // Planning and sending in separate processes, so both backlogs are queued before any send.
      const world = await dealers.world({ WORKER_ROLES: 'orchestration' });
      const big = await seedDealer(world.context, { ads: 1000, zipcode: '75015', prefix: '41' });
      const small = await seedDealer(world.context, { ads: 10, zipcode: '13001', prefix: '42' });
      await world.context.start();
      await runHunt(world.context, big.huntId);
      await expect.poll(() => pendingOf(world.context, big.id), { timeout: 30_000 }).toBe(1000);
      await runHunt(world.context, small.huntId);
      await expect.poll(() => pendingOf(world.context, small.id), { timeout: 30_000 }).toBe(10);
      // The jobs are added once the allocation has committed: wait for them too.
      await expect.poll(() => world.context.queues.sms.count(), { timeout: 10_000 }).toBe(1010);

      const sender = world.addProcess({}, { WORKER_ROLES: 'sms' });
      await sender.start();
      await expect
        .poll(() => dealers.sms.sent.filter((s) => s.apikey === small.smsKey).length, { timeout: 60_000 })
        .toBe(10);
      const order = dealers.sms.sent.map((s) => s.apikey);
      const bigBeforeSmallFirst = order
        .slice(0, order.indexOf(small.smsKey!))
        .filter((key) => key === big.smsKey).length;
      expect(bigBeforeSmallFirst).toBeLessThan(49);
    },
  );

  it(
    "a 429 on one dealer's key postpones that dealer only; another dealer's SMS keep flowing",
    { timeout: 60_000 },
    async () => {
      const world = await dealers.world();
      const limited = await seedDealer(world.context, { ads: 20, zipcode: '75015', prefix: '43' });
      const flowing = await seedDealer(world.context, { ads: 20, zipcode: '13001', prefix: '44' });
      dealers.sms.keys.set(limited.smsKey!, 'rate_limited');
      await world.context.start();
      await runHunt(world.context, limited.huntId);
      await expect
        .poll(() => dealers.sms.rateLimited.get(limited.smsKey!) ?? 0, { timeout: 15_000 })
        .toBeGreaterThan(0);
      await runHunt(world.context, flowing.huntId);

      await expect
        .poll(() => dealers.sms.sent.filter((s) => s.apikey === flowing.smsKey).length, { timeout: 30_000 })
        .toBe(20);
      // The limited dealer's messages wait (no attempt used, nothing failed); its key was asked at
      // most once per concurrent send slot before the first 429 postponed the rest.
      expect(await pendingOf(world.context, limited.id)).toBe(20);
      expect(dealers.sms.rateLimited.get(limited.smsKey!)).toBeLessThanOrEqual(4);
      const delayed = await world.context.queues.sms.getDelayed();
      expect(delayed.map((job) => job.attemptsMade)).toEqual(Array.from({ length: 20 }, () => 0));
      // The dealer's next send slot, shared by every process, is past its key's Retry-After (60 s).
      const pacer = createSendPacer(world.context.redis, world.context.env.QUEUE_PREFIX, {});
      const nextSlot = await pacer.reserve(limited.id, 'sms');
      expect(nextSlot!.getTime() - Date.now()).toBeGreaterThan(30_000);
    },
  );
});
