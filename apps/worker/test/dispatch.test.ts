// Every send job, whoever dispatches it (a hunt, a hand-over, a manual contact, the sweep), falls
// due at its message's time or later at its recipient's own sending window, never before it.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { JOB_IDS, type SendingWindow } from '@auto-prospect/core';
import { dispatchMessage, dispatchMessages } from '../src/jobs/dispatch.js';
import { createTestWorld, type TestWorld } from './support/test-context.js';

const OVERSEAS = '+590690000001';
const HOUR = 3_600_000;
/** Open now for everyone but OVERSEAS, whose window opens in an hour. */
const window: SendingWindow = {
  nextOpening: (at, phone) => (phone === OVERSEAS ? new Date(Math.max(at.getTime(), Date.now() + HOUR)) : at),
};

let world: TestWorld;
beforeAll(async () => {
  world = await createTestWorld();
});
afterAll(async () => {
  await world.teardown();
});

describe('dispatching send jobs', () => {
  it("delays a job to its recipient's window, and to its planned time when that is later", async () => {
    const accountId = '00000000-0000-4000-8000-000000000001';
    const ids = ['10000000-0000-4000-8000-000000000001', '10000000-0000-4000-8000-000000000002'];
    const later = new Date(Date.now() + 2 * HOUR);
    await dispatchMessages(world.context.queues, window, [
      { id: ids[0]!, accountId, channel: 'sms', recipientPhone: OVERSEAS, sendAt: null, priority: 1 },
      { id: ids[1]!, accountId, channel: 'sms', recipientPhone: OVERSEAS, sendAt: later, priority: 2 },
    ]);
    const handedOver = '10000000-0000-4000-8000-000000000003';
    await dispatchMessage(world.context.queues, window, {
      id: handedOver,
      accountId,
      channel: 'sms',
      recipientPhone: '+33612345678',
    });
    const delays = await Promise.all(
      [...ids, handedOver].map(async (id) => (await world.context.queues.sms.getJob(JOB_IDS.message(id)))!.delay),
    );
    expect(delays[0]).toBeGreaterThan(HOUR - 60_000);
    expect(delays[0]).toBeLessThanOrEqual(HOUR);
    expect(delays[1]).toBeGreaterThan(2 * HOUR - 60_000);
    expect(delays[2]).toBe(0);
  });
});
