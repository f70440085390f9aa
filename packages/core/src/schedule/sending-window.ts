// When outreach may happen. French rules for telephone canvassing (default): Monday–Friday
// 10:00–13:00 and 14:00–20:00, never on a (French) public holiday, in the recipient's time zone:
// OUTREACH_TIMEZONE unless the number says otherwise (phone/recipient-time-zone.ts, e.g. a seller
// in Guadeloupe, 5 hours behind Paris). Contacts planned outside wait for the next opening; they
// are never dropped.
import { TZDate } from '@date-fns/tz';
import Holidays from 'date-holidays';
import { recipientTimeZone } from '../phone/recipient-time-zone.js';

export interface SendingWindow {
  /**
   * `at` itself when sending is allowed then, else the next moment it is: for `recipientPhone`
   * (E.164) in its own time zone, without one in OUTREACH_TIMEZONE (planning an account's day).
   */
  nextOpening(at: Date, recipientPhone?: string): Date;
}

/** [start hour, end hour) ranges of a working day. */
const FR_CANVASSING_HOURS: readonly (readonly [number, number])[] = [
  [10, 13],
  [14, 20],
];
const MAX_DAYS_AHEAD = 14;

export const ALWAYS_OPEN: SendingWindow = { nextOpening: (at) => at };

export function frenchCanvassingWindow(timeZone: string): SendingWindow {
  const opening = openingIn(timeZone);
  const others = new Map<string, (at: Date) => Date>();
  return {
    nextOpening(at, recipientPhone) {
      const zone = recipientPhone ? recipientTimeZone(recipientPhone, timeZone) : timeZone;
      if (zone === timeZone) return opening(at);
      let inZone = others.get(zone);
      if (!inZone) others.set(zone, (inZone = openingIn(zone)));
      return inZone(at);
    },
  };
}

/** The next opening of the French canvassing hours in one time zone. */
function openingIn(timeZone: string): (at: Date) => Date {
  const holidays = new Holidays('FR');
  const holidayCache = new Map<number, Set<string>>();
  const isPublicHoliday = (year: number, isoDate: string) => {
    let dates = holidayCache.get(year);
    if (!dates) {
      dates = new Set(
        holidays
          .getHolidays(year)
          .filter((h) => h.type === 'public')
          .map((h) => h.date.slice(0, 10)),
      );
      holidayCache.set(year, dates);
    }
    return dates.has(isoDate);
  };

  return (at) => {
    const local = new TZDate(at.getTime(), timeZone);
    for (let day = 0; day <= MAX_DAYS_AHEAD; day++) {
      const date = new TZDate(local.getFullYear(), local.getMonth(), local.getDate() + day, timeZone);
      const weekday = date.getDay();
      const month = String(date.getMonth() + 1).padStart(2, '0');
      const dayOfMonth = String(date.getDate()).padStart(2, '0');
      const iso = `${date.getFullYear()}-${month}-${dayOfMonth}`;
      if (weekday === 0 || weekday === 6 || isPublicHoliday(date.getFullYear(), iso)) continue;
      for (const [startHour, endHour] of FR_CANVASSING_HOURS) {
        const start = new TZDate(date.getFullYear(), date.getMonth(), date.getDate(), startHour, 0, timeZone);
        const end = new TZDate(date.getFullYear(), date.getMonth(), date.getDate(), endHour, 0, timeZone);
        if (at.getTime() < end.getTime()) return new Date(Math.max(at.getTime(), start.getTime()));
      }
    }
    throw new Error(`no sending window within ${MAX_DAYS_AHEAD} days of ${at.toISOString()}`);
  };
}

export function sendingWindow(mode: 'fr-canvassing' | 'always', timeZone: string): SendingWindow {
  return mode === 'always' ? ALWAYS_OPEN : frenchCanvassingWindow(timeZone);
}

const dateFormats = new Map<string, Intl.DateTimeFormat>();

/** The calendar date (YYYY-MM-DD) of an instant in a time zone (one formatter per zone, reused). */
export function localDateOf(at: Date | number, timeZone: string): string {
  let format = dateFormats.get(timeZone);
  if (!format) {
    format = new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' });
    dateFormats.set(timeZone, format);
  }
  return format.format(at);
}

/**
 * The first day on or after `localDate` (YYYY-MM-DD in `timeZone`) on which the window opens: the
 * day whose limits the contacts planned for `localDate` count against, since none of them can go
 * out before it (a run on a public holiday or a weekend plans the next working day's contacts).
 */
export function firstSendingDate(window: SendingWindow, localDate: string, timeZone: string): string {
  const [year, month, day] = localDate.split('-').map(Number);
  return localDateOf(window.nextOpening(new TZDate(year!, month! - 1, day!, timeZone)), timeZone);
}
