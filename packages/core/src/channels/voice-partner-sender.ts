// Voice Partner ringless voicemail (providers.md §2): POST /campaign/send with a pre-recorded
// audio token (never a URL), the mandatory notification email and the account's number as
// sender. Failure whenever `success` is not true, whatever the HTTP status.
import { DeliveryRefusedError, type FailureBlame } from '../errors.js';
import { providerRequest } from '../http/provider-response.js';
import type { ChannelSender } from './channel-sender.js';

interface CampaignBody {
  success?: unknown;
  campaignId?: unknown;
  code?: unknown;
  message?: unknown;
  errors?: { elementId?: unknown; message?: unknown }[];
}

const BY_CODE: Record<number, { code: string; blame: FailureBlame }> = {
  1: { code: 'VOICE_KEY_REJECTED', blame: 'sender' },
  10: { code: 'VOICE_KEY_REJECTED', blame: 'sender' },
  11: { code: 'VOICE_OUT_OF_CREDIT', blame: 'sender' },
  13: { code: 'VOICE_NO_PRICE_FOR_NUMBER', blame: 'recipient' },
  14: { code: 'VOICE_RECIPIENT_OPTED_OUT', blame: 'recipient' },
  20: { code: 'VOICE_ACCOUNT_BLOCKED', blame: 'sender' },
  30: { code: 'VOICE_ACCOUNT_BLOCKED', blame: 'sender' },
};

/** Code 9 is "a constraint failed": the failing field tells whose problem it is. */
function constraintFailure(body: CampaignBody): { code: string; blame: FailureBlame } {
  const fields = (body.errors ?? []).map((e) => (typeof e.elementId === 'string' ? e.elementId : '')).join(' ');
  if (fields.includes('phoneNumbers')) return { code: 'VOICE_INVALID_NUMBER', blame: 'recipient' };
  if (fields.includes('tokenAudio')) return { code: 'VOICE_UNKNOWN_AUDIO', blame: 'message' };
  return { code: 'VOICE_INVALID_REQUEST', blame: 'message' };
}

export function createVoicePartnerSender(options: { baseUrl: string; apiKey: string; notificationEmail: string; timeoutMs: number }): ChannelSender {
  const url = `${options.baseUrl.replace(/\/+$/, '')}/campaign/send`;
  return {
    async send(message) {
      if (!message.voiceTokenAudio) throw new DeliveryRefusedError('VOICE_NO_AUDIO', 'the template has no Voice Partner audio token', 'message');
      const response = await providerRequest('VOICE', url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'cache-control': 'no-cache' },
        body: JSON.stringify({
          apiKey: options.apiKey,
          tokenAudio: message.voiceTokenAudio,
          emailForNotification: options.notificationEmail,
          phoneNumbers: message.recipient,
          ...(message.voiceSender ? { sender: message.voiceSender } : {}),
        }),
      }, { repeatable: false, timeoutMs: options.timeoutMs, signal: message.signal });
      const body = (response.body ?? {}) as CampaignBody;
      if (body.success === true) {
        return { externalId: typeof body.campaignId === 'string' ? body.campaignId : null };
      }
      const code = Number(body.code);
      const { code: errorCode, blame } = code === 9 ? constraintFailure(body) : (BY_CODE[code] ?? { code: 'VOICE_REJECTED', blame: 'message' as const });
      const detail = [body.message, ...(body.errors ?? []).map((e) => e.message)].filter((m) => typeof m === 'string').join('; ');
      throw new DeliveryRefusedError(errorCode, `voice partner refused the campaign (HTTP ${response.status}, code ${String(body.code)}: ${detail})`, blame);
    },
  };
}
