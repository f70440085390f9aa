import { describe, expect, it } from 'vitest';
import { findSentSms } from './smsmobileapi-sent-log.js';

const at = Date.parse('2026-11-28T10:00:00Z');
const query = { recipient: '+33612345678', from: new Date(at - 60_000), to: new Date(at + 15 * 60_000) };
const log = (...entries: Record<string, unknown>[]) => ({ entries });

describe('reading the SMS sent log defensively', () => {
  it('finds the send whatever the phone spelling and time format', () => {
    expect(findSentSms(log({ guid: 'g1', number: '+33612345678', timestamp_unix: at / 1000 + 5 }), query)).toEqual({
      guid: 'g1',
    });
    expect(
      findSentSms(log({ guid_message: 'g2', recipient: '06 12 34 56 78', date: '2026-11-28T10:02:00Z' }), query),
    ).toEqual({ guid: 'g2' });
    expect(findSentSms(log({ id: 17, to: '0033612345678', sent_at_ms: at + 1000, status: 'Pending' }), query)).toEqual({
      guid: '17',
    });
  });

  it('finds nothing for another number, another time, or a send the log says failed', () => {
    expect(findSentSms(log({ guid: 'g', number: '+33612345679', timestamp_unix: at / 1000 }), query)).toBeNull();
    expect(findSentSms(log({ guid: 'g', number: '+33612345678', timestamp_unix: at / 1000 - 3600 }), query)).toBeNull();
    expect(
      findSentSms(log({ guid: 'g', number: '+33612345678', timestamp_unix: at / 1000, status: 'Error' }), query),
    ).toBeNull();
    expect(findSentSms(log({ guid: 'g', number: '+33612345678' }), query)).toBeNull();
  });
});
