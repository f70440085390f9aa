// SMSMobileAPI's received messages (GET /getsms/, providers.md §1.4), read for replies.
import { createHash } from 'node:crypto';
import { z } from 'zod';
import { DeliveryRefusedError, TransientError, type PermanentError } from '../errors.js';
import { providerRequest } from '../http/provider-response.js';
import { KNOWN_ERRORS } from './smsmobileapi-sender.js';

export interface ReceivedSms {
  number: string;
  message: string;
  /** Unix seconds (some phones report milliseconds; normalised). */
  receivedUnix: number;
  /** The provider's id of the SMS (Webhook V2 `data.guid` too), or one derived from the row when it has none. */
  guid: string;
}

const inboxSchema = z.looseObject({
  result: z
    .looseObject({
      // null when the inbox is empty.
      sms: z
        .array(
          z.looseObject({
            number: z.coerce.string(),
            message: z.coerce.string(),
            timestamp_unix: z.coerce.number(),
            // A number is taken as its digits, as the webhook reads it: both paths store a reply once.
            guid: z
              .union([z.string().min(1), z.number().int().nonnegative().transform(String)])
              .refine((g) => !g.includes('\u0000'))
              .optional()
              .catch(undefined),
          }),
        )
        .nullish(),
    })
    .optional(),
});

/** Where the provider puts why it refused: `result.error`, even with HTTP 200 (§1.3), or `error` (§1.7). */
const refusalSchema = z.looseObject({
  result: z.looseObject({ error: z.unknown().optional() }).nullish(),
  error: z.unknown().optional(),
});

/** The refusal's text; 0, "0" and "" mean none. */
function refusalIn(body: unknown): string | null {
  const parsed = refusalSchema.safeParse(body);
  const error = parsed.success ? (parsed.data.result?.error ?? parsed.data.error) : null;
  if (typeof error !== 'string' && typeof error !== 'number') return null;
  return ['', '0'].includes(String(error)) ? null : String(error);
}

/** Mapped as a refused send is; an unknown refusal of a read is a key problem only with 401/403. */
function refusalError(status: number, reason: string | null): PermanentError | TransientError {
  const message = `smsmobileapi refused to read the inbox (HTTP ${status}, ${reason ?? 'no reason'})`;
  const known = reason !== null && Object.hasOwn(KNOWN_ERRORS, reason) ? KNOWN_ERRORS[reason] : undefined;
  if (known) return new DeliveryRefusedError(known.code, message, known.blame);
  if (status === 401 || status === 403) return new DeliveryRefusedError('SMS_KEY_REVOKED', message, 'sender');
  return new TransientError('SMS_INBOX_REFUSED', message);
}

/** The same row read twice gets the same id, so it is handled once. */
function derivedGuid(number: string, receivedUnix: number, message: string): string {
  return `derived-${createHash('sha256')
    .update(JSON.stringify([number, receivedUnix, message]))
    .digest('hex')}`;
}

export function createSmsMobileApiInbox(options: { baseUrl: string; timeoutMs: number }) {
  const base = options.baseUrl.replace(/\/+$/, '');
  return {
    async receivedSince(apiKey: string, afterUnix: number): Promise<ReceivedSms[]> {
      const query = new URLSearchParams({ apikey: apiKey, after_timestamp_unix: String(afterUnix) });
      const response = await providerRequest(
        'SMS',
        `${base}/getsms/?${query.toString()}`,
        {},
        { repeatable: true, timeoutMs: options.timeoutMs },
      );
      const reason = refusalIn(response.body);
      if (reason !== null || response.status === 401 || response.status === 403)
        throw refusalError(response.status, reason);
      const parsed = inboxSchema.safeParse(response.body);
      if (response.status >= 300 || !parsed.success)
        throw new TransientError('SMS_INBOX_UNREADABLE', `smsmobileapi inbox answered ${response.status}`);
      return (parsed.data.result?.sms ?? []).map((sms) => {
        const receivedUnix = sms.timestamp_unix > 1e12 ? Math.floor(sms.timestamp_unix / 1000) : sms.timestamp_unix;
        // Postgres text cannot hold NUL: one odd SMS must not stop the account's replies for good.
        return {
          number: sms.number,
          message: sms.message.replaceAll('\u0000', ''),
          receivedUnix,
          guid: sms.guid ?? derivedGuid(sms.number, receivedUnix, sms.message),
        };
      });
    },
  };
}

export type SmsInbox = ReturnType<typeof createSmsMobileApiInbox>;
