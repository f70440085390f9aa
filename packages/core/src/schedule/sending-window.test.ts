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

  it('follows the recipient’s own time zone, known from the number (overseas France, neighbours)', () => {
    const mondayParis10 = at('2026-11-30T10:00:00+01:00');
    // Guadeloupe is 5 hours behind Paris: 05:00 there, its 10:00 is 15:00 in Paris.
    expect(paris.nextOpening(mondayParis10, '+590690123456')).toEqual(at('2026-11-30T10:00:00-04:00'));
    // La Réunion is 3 hours ahead: 13:00 there, lunch; then 14:00 there.
    expect(paris.nextOpening(mondayParis10, '+262692123456')).toEqual(at('2026-11-30T14:00:00+04:00'));
    // Friday 19:30 in Paris is Saturday in Nouméa: its Monday 10:00.
    expect(paris.nextOpening(at('2026-11-27T19:30:00+01:00'), '+687751234')).toEqual(at('2026-11-30T10:00:00+11:00'));
    // London, an hour behind: 09:00 there.
    expect(paris.nextOpening(mondayParis10, '+447400123456')).toEqual(at('2026-11-30T10:00:00Z'));
    // Mainland France, and a number of a country not listed: OUTREACH_TIMEZONE.
    expect(paris.nextOpening(mondayParis10, '+33612345678')).toEqual(mondayParis10);
    expect(paris.nextOpening(mondayParis10, '+32470123456')).toEqual(mondayParis10);
    expect(ALWAYS_OPEN.nextOpening(mondayParis10, '+590690123456')).toEqual(mondayParis10);
    // A deployment run from Guadeloupe still calls mainland numbers in Paris hours.
    const fromGuadeloupe = frenchCanvassingWindow('America/Guadeloupe');
    expect(fromGuadeloupe.nextOpening(mondayParis10, '+33612345678')).toEqual(mondayParis10);
    expect(fromGuadeloupe.nextOpening(mondayParis10)).toEqual(at('2026-11-30T10:00:00-04:00'));
  });
});
