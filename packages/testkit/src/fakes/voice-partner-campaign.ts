// What Voice Partner checks in a campaign before it accepts it (providers.md §2.2, §2.3), in its
// order, and what accepting one does: the credit is charged and the campaign recorded.
import { randomBytes } from 'node:crypto';
import type { FakeVoiceCampaign, VoicePartnerState } from './voice-partner-state.js';

export type CampaignRequest = Partial<Omit<FakeVoiceCampaign, 'numbers'>>;

/** A `success:false` body's fields: code 9 names each invalid field or number in `errors`. */
export type CampaignRefusal =
  { code: number; message: string } | { code: 9; errors: { elementId: string; message: string }[] };

type CheckedCampaign = Omit<FakeVoiceCampaign, 'campaignId' | 'phoneNumbers' | 'receivedAt'> & { credit: number };

const MAX_NUMBERS = 500;
const normalise = (n: string) => (n.startsWith('0') ? `+33${n.slice(1)}` : n);
const invalidField = (field: string, messages: string[]): CampaignRefusal => ({
  code: 9,
  errors: messages.map((message) => ({ elementId: `children[${field}].data`, message })),
});

/** A number as an error message prints it (a mode of the fake). */
const shown = (state: VoicePartnerState, n: string) => (state.modes.invalidNumbersShown === 'last6' ? n.slice(-6) : n);

export function checkCampaign(
  state: VoicePartnerState,
  body: CampaignRequest,
): { refusal: CampaignRefusal } | { campaign: CheckedCampaign } {
  const apiKey = body.apiKey ?? '';
  if (!apiKey) return { refusal: { code: 1, message: 'Clé API requise' } };
  const credit = state.keys.get(apiKey);
  if (credit === undefined) return { refusal: { code: 10, message: 'Clé API incorrecte' } };
  const given = (body.phoneNumbers ?? '')
    .split(',')
    .map((n) => n.trim())
    .filter(Boolean);
  if (given.length === 0) return { refusal: { code: 2, message: 'Numéros de téléphone requis' } };
  const invalid = given.filter((n) => !/^\+33[1-9]\d{8}$/.test(normalise(n)));
  if (invalid.length > 0)
    return {
      refusal: invalidField(
        'phoneNumbers',
        invalid.map((n) => `Ce numero de telephone n'est pas valide (${shown(state, n)})`),
      ),
    };
  const numbers = [...new Set(given.map(normalise))];
  if (numbers.length > MAX_NUMBERS)
    return { refusal: invalidField('phoneNumbers', [`${MAX_NUMBERS} numéros maximum par envoi`]) };
  if (!body.tokenAudio || !state.audios.has(body.tokenAudio))
    return { refusal: invalidField('tokenAudio', ['Fichier audio introuvable']) };
  if (!body.emailForNotification) return { refusal: invalidField('emailForNotification', ['Email requis']) };
  const stopped = numbers.filter((n) => state.stopList.has(n));
  if (stopped.length > 0) return { refusal: { code: 14, message: `Numéro(s) en liste STOP : ${stopped.join(', ')}` } };
  if (credit < numbers.length) return { refusal: { code: 11, message: 'Crédit insuffisant' } };
  return {
    campaign: {
      apiKey,
      credit,
      numbers,
      tokenAudio: body.tokenAudio,
      emailForNotification: body.emailForNotification,
      ...(body.sender ? { sender: body.sender } : {}),
      ...(body.notifyUrl ? { notifyUrl: body.notifyUrl } : {}),
    },
  };
}

/** Charges one credit per number, records the campaign and returns the success body. */
export function acceptCampaign(state: VoicePartnerState, checked: CheckedCampaign, receivedAt: number) {
  const { apiKey, credit, numbers, tokenAudio, emailForNotification, sender, notifyUrl } = checked;
  state.keys.set(apiKey, credit - numbers.length);
  const campaignId = randomBytes(4).toString('hex').slice(0, 7);
  state.campaigns.push({
    campaignId,
    apiKey,
    tokenAudio,
    emailForNotification,
    phoneNumbers: numbers.join(','),
    numbers,
    ...(sender ? { sender } : {}),
    ...(notifyUrl ? { notifyUrl } : {}),
    receivedAt,
  });
  const cost = Math.round(numbers.length * 15) / 100;
  return {
    success: true,
    campaignId,
    cost,
    currency: 'EUR',
    nbSms: numbers.length,
    audioFile: { filename: `${tokenAudio}.wav`, size: '135.8Ko' },
    detail: { 33: { nbSms: numbers.length, cost_unity: 0.15, cost } },
  };
}
