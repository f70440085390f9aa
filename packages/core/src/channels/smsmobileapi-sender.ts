// SMSMobileAPI (providers.md §1): one POST /sendsms/ per recipient, form-encoded, key as `apikey`.
// Success only when HTTP 2xx and result.error is 0 and result.sent is "1"; errors may come
// inside an HTTP 200 body.
import { DeliveryRefusedError, type FailureBlame } from '../errors.js';
import { providerRequest, type ProviderResponse } from '../http/provider-response.js';
import type { ChannelSender } from './channel-sender.js';

interface SendSmsBody {
  result?: { error?: unknown; sent?: unknown; id?: unknown };
  error?: unknown;
  message?: unknown;
}

/** The provider's error texts (§1.3, §1.7) and what they mean; the inbox reads them too. */
export const KNOWN_ERRORS: Record<string, { code: string; blame: FailureBlame }> = {
  missing_apikey: { code: 'SMS_KEY_MISSING', blame: 'sender' },
  invalid_apikey: { code: 'SMS_KEY_REVOKED', blame: 'sender' },
  api_expired: { code: 'SMS_PLAN_EXPIRED', blame: 'sender' },
  missing_parameter: { code: 'SMS_BAD_REQUEST', blame: 'message' },
};

function refusal(response: ProviderResponse): DeliveryRefusedError {
  const body = (response.body ?? {}) as SendSmsBody;
  const reason = [body.result?.error, body.error].find((e): e is string => typeof e === 'string' && e !== '0');
  const known = reason !== undefined && Object.hasOwn(KNOWN_ERRORS, reason) ? KNOWN_ERRORS[reason] : undefined;
  const fallback =
    response.status === 403
      ? { code: 'SMS_KEY_REVOKED', blame: 'sender' as const }
      : { code: 'SMS_REJECTED', blame: 'message' as const };
  const { code, blame } = known ?? fallback;
  return new DeliveryRefusedError(
    code,
    `smsmobileapi refused the message (HTTP ${response.status}, ${reason ?? 'no reason'})`,
    blame,
  );
}

function accepted(response: ProviderResponse): boolean {
  const result = (response.body as SendSmsBody | undefined)?.result;
  return (
    response.status >= 200 &&
    response.status < 300 &&
    [0, '0'].includes(result?.error as number) &&
    [1, '1'].includes(result?.sent as number)
  );
}

export function createSmsMobileApiSender(options: { baseUrl: string; timeoutMs: number }): ChannelSender {
  const url = `${options.baseUrl.replace(/\/+$/, '')}/sendsms/`;
  return {
    async send(message) {
      if (!message.smsApiKey)
        throw new DeliveryRefusedError('SMS_KEY_MISSING', 'the account has no SMSMobileAPI key', 'sender');
      const form = new URLSearchParams({
        apikey: message.smsApiKey,
        recipients: message.recipient,
        message: message.text ?? '',
      });
      const response = await providerRequest(
        'SMS',
        url,
        {
          method: 'POST',
          headers: { 'content-type': 'application/x-www-form-urlencoded' },
          body: form,
        },
        { repeatable: false, timeoutMs: options.timeoutMs, signal: message.signal },
      );
      if (!accepted(response)) throw refusal(response);
      const id = (response.body as SendSmsBody).result?.id;
      return { externalId: typeof id === 'string' || typeof id === 'number' ? String(id) : null };
    },
  };
}
