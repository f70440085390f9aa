import { describe, expect, it } from 'vitest';
import { ALWAYS_OPEN, firstSendingDate, frenchCanvassingWindow, localDateOf } from './sending-window.js';

const paris = frenchCanvassingWindow('Europe/Paris');
const at = (iso: string) => new Date(iso);

describe('French canvassing window', () => {
  it('is open inside the hours and closed over lunch', () => {
    expect(paris.nextOpening(at('2026-11-30T10:30:00+01:00'))).toEqual(at('2026-11-30T10:30:00+01:00'));
    expect(paris.nextOpening(at('2026-11-30T13:15:00+01:00'))).toEqual(at('2026-11-30T14:00:00+01:00'));
    expect(paris.nextOpening(at('2026-11-30T07:00:00+01:00'))).toEqual(at('2026-11-30T10:00:00+01:00'));
  });

  it('moves a contact planned after Friday 20:00 (e.g. 19:59 plus its pacing gap) to Monday 10:00', () => {
    const friday1959 = at('2026-11-27T19:59:00+01:00');
    expect(paris.nextOpening(friday1959)).toEqual(friday1959);
    expect(paris.nextOpening(new Date(friday1959.getTime() + 90_000))).toEqual(at('2026-11-30T10:00:00+01:00'));
  });

  it('skips public holidays (Easter Monday 2027) and keeps local time across DST', () => {
    expect(paris.nextOpening(at('2027-03-26T20:30:00+01:00'))).toEqual(at('2027-03-30T10:00:00+02:00'));
    expect(paris.nextOpening(at('2026-12-24T21:00:00+01:00'))).toEqual(at('2026-12-28T10:00:00+01:00'));
  });

  it('gives the local calendar date', () => {
    expect(localDateOf(at('2026-11-27T23:30:00Z'), 'Europe/Paris')).toBe('2026-11-28');
  });

  it('counts a day without sending (public holiday, weekend) against the next working day', () => {
    expect(firstSendingDate(paris, '2027-05-06', 'Europe/Paris')).toBe('2027-05-07'); // Ascension Thursday
    expect(firstSendingDate(paris, '2026-11-28', 'Europe/Paris')).toBe('2026-11-30'); // Saturday
    expect(firstSendingDate(paris, '2026-12-31', 'Europe/Paris')).toBe('2026-12-31');
    expect(firstSendingDate(ALWAYS_OPEN, '2026-11-28', 'Europe/Paris')).toBe('2026-11-28');
  });
});
