// SMSMobileAPI's received messages (GET /getsms/, providers.md §1.4), read for replies.
import { createHash } from 'node:crypto';
import { z } from 'zod';
import { PermanentError, TransientError } from '../errors.js';
import { providerRequest } from '../http/provider-response.js';

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
      sms: z
        .array(
          z.looseObject({
            number: z.coerce.string(),
            message: z.coerce.string(),
            timestamp_unix: z.coerce.number(),
            guid: z
              .string()
              .min(1)
              .refine((g) => !g.includes('\u0000'))
              .optional()
              .catch(undefined),
          }),
        )
        .optional(),
    })
    .optional(),
});

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
      if (response.status === 401 || response.status === 403)
        throw new PermanentError('SMS_KEY_REVOKED', 'smsmobileapi refused the key');
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
