import { describe, expect, it } from 'vitest';
import type { Channel } from '../channel.js';
import { assignChannels } from './assign-channels.js';
import type { Candidate } from './select-candidates.js';

const candidate = (adId: string, mobile: boolean, extra: Partial<Candidate> = {}): Candidate => ({
  adId,
  phone: `+336${adId}`,
  mobile,
  closedChannels: [],
  sellerOtherAds: 0,
  values: {},
  ...extra,
});
const WATERFALL: Channel[] = ['ringless_voice', 'whatsapp_text', 'sms'];
const room = (hunt: number, channels: Partial<Record<Channel, number>>) => ({
  hunt,
  channels: { sms: 0, whatsapp_text: 0, ringless_voice: 0, ...channels },
});
const assigned = (result: ReturnType<typeof assignChannels>) =>
  result.assignments.map((a) => `${a.candidate.adId}:${a.channel}`);

describe('assignChannels', () => {
  it('takes channels in priority order while they have room, then falls through', () => {
    const result = assignChannels(
      [candidate('1', true), candidate('2', true), candidate('3', true)],
      WATERFALL,
      room(10, { ringless_voice: 1, whatsapp_text: 1, sms: 5 }),
    );
    expect(assigned(result)).toEqual(['1:ringless_voice', '2:whatsapp_text', '3:sms']);
  });

  it('never sends SMS or WhatsApp to a landline, and says why it skipped one', () => {
    const result = assignChannels(
      [candidate('1', false), candidate('2', false)],
      WATERFALL,
      room(10, { ringless_voice: 1, sms: 5 }),
    );
    expect(assigned(result)).toEqual(['1:ringless_voice']);
    expect(result.skipped).toEqual({ 'INSUFFICIENT_CREDITS:ringless_voice': 1 });
    expect(assignChannels([candidate('3', false)], ['sms'], room(10, { sms: 5 })).skipped).toEqual({
      NO_CHANNEL_REACHES_RECIPIENT: 1,
    });
  });

  it('skips channels the ad already failed on (hand-over) and stops at the hunt limit', () => {
    const handedOver = candidate('1', true, { closedChannels: ['ringless_voice', 'whatsapp_text'] });
    const result = assignChannels(
      [handedOver, candidate('2', true), candidate('3', true)],
      WATERFALL,
      room(2, { ringless_voice: 5, whatsapp_text: 5, sms: 5 }),
    );
    expect(assigned(result)).toEqual(['1:sms', '2:ringless_voice']);
  });

  it(
    "counts an assigned seller's other ads as waiting for another day, " + 'and leaves the room it was given untouched',
    () => {
      const given = room(5, { sms: 5 });
      const result = assignChannels([candidate('1', true, { sellerOtherAds: 2 })], ['sms'], given);
      expect(result.skipped).toEqual({ SELLER_CONTACTED_TODAY: 2 });
      expect(given.channels.sms).toBe(5);
    },
  );
});
