// SMSMobileAPI's received messages (GET /getsms/, providers.md §1.4), read for opt-out replies.
import { z } from 'zod';
import { PermanentError, TransientError } from '../errors.js';
import { providerRequest } from '../http/provider-response.js';

export interface ReceivedSms {
  number: string;
  message: string;
  /** Unix seconds (some phones report milliseconds; normalised). */
  receivedUnix: number;
}

const inboxSchema = z.looseObject({
  result: z.looseObject({
    sms: z.array(z.looseObject({ number: z.coerce.string(), message: z.coerce.string(), timestamp_unix: z.coerce.number() })).optional(),
  }).optional(),
});

export function createSmsMobileApiInbox(options: { baseUrl: string; timeoutMs: number }) {
  const base = options.baseUrl.replace(/\/+$/, '');
  return {
    async receivedSince(apiKey: string, afterUnix: number): Promise<ReceivedSms[]> {
      const query = new URLSearchParams({ apikey: apiKey, after_timestamp_unix: String(afterUnix) });
      const response = await providerRequest('SMS', `${base}/getsms/?${query.toString()}`, {}, { repeatable: true, timeoutMs: options.timeoutMs });
      if (response.status === 401 || response.status === 403) throw new PermanentError('SMS_KEY_REVOKED', 'smsmobileapi refused the key');
      const parsed = inboxSchema.safeParse(response.body);
      if (response.status >= 300 || !parsed.success) throw new TransientError('SMS_INBOX_UNREADABLE', `smsmobileapi inbox answered ${response.status}`);
      return (parsed.data.result?.sms ?? []).map((sms) => ({
        number: sms.number,
        message: sms.message,
        receivedUnix: sms.timestamp_unix > 1e12 ? Math.floor(sms.timestamp_unix / 1000) : sms.timestamp_unix,
      }));
    },
  };
}

export type SmsInbox = ReturnType<typeof createSmsMobileApiInbox>;
