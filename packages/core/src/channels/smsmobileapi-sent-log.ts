// SMSMobileAPI's log of API-sent SMS (GET /log/sent/sms/, providers.md §1.4), read to settle a
// send whose answer never came. Its response schema is undocumented, so it is read defensively:
// any object anywhere in the body that names the recipient (any phone spelling), was sent in the
// time window (unix s or ms, or a date) and does not say it failed, counts as the sent SMS. Only
// a clear match settles anything; everything else is left to an operator.
import { PermanentError, TransientError } from '../errors.js';
import { providerRequest } from '../http/provider-response.js';
import { toE164 } from '../phone/phone-number.js';

export interface SentSmsQuery {
  recipient: string;
  /** The send was attempted within [from, to]. */
  from: Date;
  to: Date;
}

export interface SentSmsEntry {
  guid: string | null;
}

const FAILED = /error|fail|reject|cancel/i;

function objectsIn(value: unknown): Record<string, unknown>[] {
  if (Array.isArray(value)) return value.flatMap(objectsIn);
  if (value === null || typeof value !== 'object') return [];
  const object = value as Record<string, unknown>;
  return [object, ...Object.values(object).flatMap(objectsIn)];
}

function timeOf(value: unknown): number | null {
  if (typeof value === 'number' || (typeof value === 'string' && /^\d{9,13}$/.test(value))) {
    const n = Number(value);
    return n > 1e12 ? n : n * 1000;
  }
  if (typeof value === 'string' && /\d{4}-\d{2}-\d{2}/.test(value)) {
    const ms = Date.parse(value);
    return Number.isNaN(ms) ? null : ms;
  }
  return null;
}

function matches(entry: Record<string, unknown>, query: SentSmsQuery): boolean {
  const fields = Object.entries(entry).filter(([, v]) => typeof v === 'string' || typeof v === 'number');
  const names = fields.some(
    ([, v]) => /^\+?[\d\s.()-]{9,20}$/.test(String(v)) && toE164(String(v)) === query.recipient,
  );
  const times = fields.map(([, v]) => timeOf(v)).filter((t): t is number => t !== null);
  const inWindow = times.some((t) => t >= query.from.getTime() && t <= query.to.getTime());
  const failed = fields.some(([k, v]) => /status|state|result/i.test(k) && FAILED.test(String(v)));
  return names && inWindow && !failed;
}

function guidOf(entry: Record<string, unknown>): string | null {
  const guid = entry.guid ?? entry.guid_message ?? entry.id;
  return typeof guid === 'string' || typeof guid === 'number' ? String(guid) : null;
}

/** The logged SMS to the recipient in the window, or null when the log shows none. */
export function findSentSms(log: SentSmsLog, query: SentSmsQuery): SentSmsEntry | null {
  const entry = log.entries.find((object) => matches(object, query));
  return entry ? { guid: guidOf(entry) } : null;
}

export interface SentSmsLog {
  /** Every object of the body, wherever it sits. */
  entries: Record<string, unknown>[];
}

export function createSmsMobileApiSentLog(options: { baseUrl: string; timeoutMs: number }) {
  const base = options.baseUrl.replace(/\/+$/, '');
  return {
    /** The account's recent log (one call, matched against all its unsettled sends). */
    async read(apiKey: string): Promise<SentSmsLog> {
      const url = `${base}/log/sent/sms/?${new URLSearchParams({ apikey: apiKey }).toString()}`;
      const response = await providerRequest('SMS', url, {}, { repeatable: true, timeoutMs: options.timeoutMs });
      if (response.status === 401 || response.status === 403)
        throw new PermanentError('SMS_KEY_REVOKED', 'smsmobileapi refused the key');
      if (response.status >= 300)
        throw new TransientError('SMS_SENT_LOG_UNREADABLE', `smsmobileapi sent log answered ${response.status}`);
      return { entries: objectsIn(response.body) };
    },
  };
}

export type SmsSentLogReader = ReturnType<typeof createSmsMobileApiSentLog>;
