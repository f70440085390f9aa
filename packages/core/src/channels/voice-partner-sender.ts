// Voice Partner ringless voicemail (providers.md §2): POST /campaign/send with a pre-recorded
// audio token (never a URL), the mandatory notification email, the account's number as sender
// and up to 500 numbers in one comma-separated string. Failure whenever `success` is not true,
// whatever the HTTP status. A refusal that names some of the numbers (code 9 on phoneNumbers,
// 13, 14) is theirs alone: the caller fails them and sends the rest again (naming none, it splits
// the request to find them). A refusal of the platform's own account (key, credit, standing)
// holds every account's voice instead.
import { TIMEOUTS_MS } from '../config/worker.config.js';
import { DeliveryRefusedError, RateLimitedError, type FailureBlame } from '../errors.js';
import { providerRequest } from '../http/provider-response.js';

export interface VoiceCampaign {
  /** The batch's messages, for whoever tracks calls in flight; never sent. */
  messageIds: readonly string[];
  tokenAudio: string;
  /** The account's number shown to the recipients. */
  sender: string | null;
  /** E.164, distinct. */
  numbers: readonly string[];
  notifyUrl: string | null;
  signal?: AbortSignal;
}

export interface VoiceCampaignSender {
  /** The campaign id (every number of it shares it). */
  send(campaign: VoiceCampaign): Promise<{ campaignId: string | null }>;
}

/**
 * Voice Partner refused some numbers of the request; nothing of it was sent. `numbers` are those
 * its answer names, empty when it names none it could be told from (then any may be the one).
 */
export class RecipientsRefusedError extends DeliveryRefusedError {
  constructor(
    code: string,
    message: string,
    readonly numbers: readonly string[],
  ) {
    super(code, message, 'recipient');
  }
}

interface CampaignBody {
  success?: unknown;
  campaignId?: unknown;
  code?: unknown;
  message?: unknown;
  errors?: { elementId?: unknown; message?: unknown }[];
}

const BY_CODE: Record<number, { code: string; blame: FailureBlame }> = {
  13: { code: 'VOICE_NO_PRICE_FOR_NUMBER', blame: 'recipient' },
  14: { code: 'VOICE_RECIPIENT_OPTED_OUT', blame: 'recipient' },
};

/**
 * Refusals of the platform's own Voice Partner account (its key, credit or standing), not of any
 * dealer's setup: every account's voice waits until someone fixes it; no contact fails for it.
 */
const VOICE_PLATFORM_REFUSALS: Readonly<Record<number, string>> = {
  1: 'VOICE_KEY_REJECTED',
  10: 'VOICE_KEY_REJECTED',
  11: 'VOICE_OUT_OF_CREDIT',
  20: 'VOICE_ACCOUNT_BLOCKED',
  30: 'VOICE_ACCOUNT_BLOCKED',
};

/** Code 9 naming a field the platform's configuration sets: its key, its notification address. */
const PLATFORM_FIELD_REFUSED = 'VOICE_PLATFORM_SETUP_REFUSED';

/** Every refusal of the platform's own account, by the error code it is thrown with. */
export const VOICE_PLATFORM_REFUSAL_CODES: ReadonlySet<string> = new Set([
  ...Object.values(VOICE_PLATFORM_REFUSALS),
  PLATFORM_FIELD_REFUSED,
]);

/** The fields a code-9 answer says failed their constraint. */
const refusedFields = (body: CampaignBody) =>
  (body.errors ?? []).map((e) => (typeof e.elementId === 'string' ? e.elementId : '')).join(' ');

function platformRefusal(code: number, body: CampaignBody): string | undefined {
  if (VOICE_PLATFORM_REFUSALS[code]) return VOICE_PLATFORM_REFUSALS[code];
  const fields = refusedFields(body);
  if (code === 9 && (fields.includes('apiKey') || fields.includes('emailForNotification')))
    return PLATFORM_FIELD_REFUSED;
  return undefined;
}

/** Code 9 is "a constraint failed": the failing field tells whose problem it is. */
function constraintFailure(body: CampaignBody): { code: string; blame: FailureBlame } {
  const fields = refusedFields(body);
  if (fields.includes('phoneNumbers')) return { code: 'VOICE_INVALID_NUMBER', blame: 'recipient' };
  // The dealer's template names an audio Voice Partner does not list (unknown, or not validated
  // yet): the account's voice pauses, and is tried again a while later (TIMED_PAUSES_MS).
  if (fields.includes('tokenAudio')) return { code: 'VOICE_UNKNOWN_AUDIO', blame: 'sender' };
  // The account's fixed number, which must be validated on Voice Partner first: the dealer's setup.
  if (fields.includes('sender')) return { code: 'VOICE_SENDER_REFUSED', blame: 'sender' };
  return { code: 'VOICE_INVALID_REQUEST', blame: 'message' };
}

/**
 * The numbers of the request an error text names, in whatever form it prints them (+336…,
 * 336…, 06…, spaced or not): a digit run of the text must equal one of the number's forms.
 */
export function namedNumbers(text: string, numbers: readonly string[]): string[] {
  const runs = new Set(text.replace(/(\d)[ .-](?=\d)/g, '$1').match(/\d+/g) ?? []);
  return numbers.filter((n) => {
    const digits = n.replace(/\D/g, '');
    return runs.has(digits) || (digits.startsWith('33') && runs.has(`0${digits.slice(2)}`));
  });
}

export function createVoicePartnerSender(options: {
  baseUrl: string;
  apiKey: string;
  notificationEmail: string;
  timeoutMs: number;
}): VoiceCampaignSender {
  const url = `${options.baseUrl.replace(/\/+$/, '')}/campaign/send`;
  return {
    async send(campaign) {
      const response = await providerRequest(
        'VOICE',
        url,
        {
          method: 'POST',
          headers: { 'content-type': 'application/json', 'cache-control': 'no-cache' },
          body: JSON.stringify({
            apiKey: options.apiKey,
            tokenAudio: campaign.tokenAudio,
            emailForNotification: options.notificationEmail,
            phoneNumbers: campaign.numbers.join(','),
            ...(campaign.sender ? { sender: campaign.sender } : {}),
            ...(campaign.notifyUrl ? { notifyUrl: campaign.notifyUrl } : {}),
          }),
        },
        { repeatable: false, timeoutMs: options.timeoutMs, signal: campaign.signal },
      );
      const body = (response.body ?? {}) as CampaignBody;
      if (body.success === true) {
        return { campaignId: typeof body.campaignId === 'string' ? body.campaignId : null };
      }
      const code = Number(body.code);
      const platformCode = platformRefusal(code, body);
      if (platformCode)
        throw new RateLimitedError(
          platformCode,
          `voice partner refused the platform's account (HTTP ${response.status}, code ${code}): ` +
            'every voice message waits until it is fixed',
          TIMEOUTS_MS.voicePlatformRefusalHold,
        );
      const { code: errorCode, blame } =
        code === 9 ? constraintFailure(body) : (BY_CODE[code] ?? { code: 'VOICE_REJECTED', blame: 'message' as const });
      const texts = [body.message, ...(body.errors ?? []).map((e) => e.message)].filter((m) => typeof m === 'string');
      const message =
        `voice partner refused the campaign (HTTP ${response.status}, ` +
        `code ${String(body.code)}: ${texts.join('; ')})`;
      if (blame !== 'recipient') throw new DeliveryRefusedError(errorCode, message, blame);
      // A lone number is the one refused, named or not; among several, only named ones can be told apart.
      const named =
        campaign.numbers.length === 1 ? [...campaign.numbers] : namedNumbers(texts.join(' '), campaign.numbers);
      // None named: some number of the request, unknown which (the caller splits the request).
      throw new RecipientsRefusedError(errorCode, named.length > 0 ? message : `${message}; no number named`, named);
    },
  };
}
