// Pacing per sending account and channel, shared through the real Redis.
import { afterAll, describe, expect, it } from 'vitest';
import { Redis } from 'ioredis';
import { createTestQueuePrefix } from '@auto-prospect/testkit';
import { createSendPacer } from './send-pacer.js';

const prefix = createTestQueuePrefix();
const redis = new Redis(process.env.REDIS_URL!);

afterAll(async () => {
  await prefix.clear();
  redis.disconnect();
});

describe('send pacer', () => {
  it('lets one send through, then names when the next slot opens (1–2× the minimum gap)', async () => {
    const pacer = createSendPacer(redis, prefix.prefix, { sms: 30 }, () => 0.5);
    const before = Date.now();
    expect(await pacer.reserve('account-a', 'sms')).toBeNull();
    const next = await pacer.reserve('account-a', 'sms');
    expect(next).toBeInstanceOf(Date);
    expect(next!.getTime() - before).toBeGreaterThanOrEqual(45_000 - 50);
    expect(next!.getTime() - before).toBeLessThanOrEqual(45_000 + 1_000);
  });

  it('gives each waiting message a place in line, and tells it when its turn should come', async () => {
    const pacer = createSendPacer(redis, prefix.prefix, { sms: 30 }, () => 0.5);
    expect(await pacer.reserve('account-g', 'sms', { messageId: 'm1', first: false })).toBeNull();
    const slot = (await pacer.reserve('account-g', 'sms', { messageId: 'm2', first: false }))!.getTime();
    // How many average gaps (45 s) after the next slot the message is told to come back.
    const placesAhead = async (messageId: string, first = false) =>
      Math.abs(
        Math.round(((await pacer.reserve('account-g', 'sms', { messageId, first }))!.getTime() - slot) / 45_000),
      );
    expect(await placesAhead('m3')).toBe(1);
    // Back before its turn, each keeps its place rather than queue again or meet the others at the next slot.
    expect(await placesAhead('m3')).toBe(1);
    expect(await placesAhead('m2')).toBe(0);
    // Sent ahead of the line (a manual contact), a message takes a place at its front; the others keep their order.
    expect(await placesAhead('m4', true)).toBe(0);
    expect(await placesAhead('m2')).toBe(1);
    // So does a message that took a slot and comes back (its send did not happen), behind the front's earlier ones.
    expect(await placesAhead('m1')).toBe(1);
    expect(await placesAhead('m3')).toBe(3);
  });

  it('checks without taking: a free slot stays free for the send that takes it', async () => {
    const pacer = createSendPacer(redis, prefix.prefix, { sms: 30 });
    const member = { messageId: 'm1', first: false };
    expect(await pacer.check('account-h', 'sms', member)).toBeNull();
    expect(await pacer.check('account-h', 'sms', member)).toBeNull();
    expect(await pacer.reserve('account-h', 'sms', member)).toBeNull();
    expect(await pacer.check('account-h', 'sms', { messageId: 'm2', first: false })).toBeInstanceOf(Date);
  });

  it('paces each account and channel apart, across pacer instances (processes)', async () => {
    const one = createSendPacer(redis, prefix.prefix, { sms: 30, whatsapp_text: 60 });
    const other = createSendPacer(redis, prefix.prefix, { sms: 30, whatsapp_text: 60 });
    expect(await one.reserve('account-b', 'sms')).toBeNull();
    expect(await other.reserve('account-b', 'sms')).toBeInstanceOf(Date);
    expect(await other.reserve('account-c', 'sms')).toBeNull();
    expect(await other.reserve('account-b', 'whatsapp_text')).toBeNull();
  });

  it('never holds back a channel without a gap (voice is limited by its queue instead)', async () => {
    const pacer = createSendPacer(redis, prefix.prefix, { sms: 30 });
    expect(await pacer.reserve('account-d', 'ringless_voice')).toBeNull();
    expect(await pacer.reserve('account-d', 'ringless_voice')).toBeNull();
  });
});

describe('send pacer postponement', () => {
  it('holds one account back until the given time, gap or no gap, and never moves it earlier', async () => {
    const pacer = createSendPacer(redis, prefix.prefix, { sms: 0 });
    const until = new Date(Date.now() + 60_000);
    await pacer.postpone('account-e', 'sms', until);
    await pacer.postpone('account-e', 'sms', new Date(Date.now() + 1_000));
    const resumes = await pacer.reserve('account-e', 'sms');
    expect(Math.abs(resumes!.getTime() - until.getTime())).toBeLessThan(1_000);
    expect(await pacer.reserve('account-f', 'sms')).toBeNull();
    expect(await pacer.reserve('account-e', 'whatsapp_text')).toBeNull();
  });
});
