// Voice Partner on 127.0.0.1 following providers.md §2: POST /v1/campaign/send with JSON and
// `phoneNumbers` as one comma-separated string (national 06… or +336…, normalised, deduplicated,
// at most 500, counted in nbSms and cost). `success:false` error bodies (code 9 with errors[]
// naming each invalid number or field, 10 bad key, 11 not enough credit, 14 STOP list naming
// the numbers) sent with HTTP 200 or 400 (switch); N requests per window per key → 429;
// x-ratelimit headers; scripted faults (a hang, a delay, or 500 / 429 / a hang for a share of
// calls). `notify` calls a campaign's notifyUrl with invented parameters (the real ones are
// undocumented).
import { sendJson, startFakeServer, type FakeServer } from '../fake-server.js';
import { answerCampaignSend } from './voice-partner-send.js';
import { createVoicePartnerState, type FakeVoiceCampaign, type VoicePartnerState } from './voice-partner-state.js';

export type { FakeVoiceCampaign } from './voice-partner-state.js';

export interface FakeVoicePartner extends FakeServer, Omit<VoicePartnerState, 'recent' | 'faults'> {
  /** Base URL to give the client, ending in /v1. */
  baseUrl: string;
  /** GETs the campaign's notifyUrl with synthetic `campaignId` and `status`; returns the HTTP status. */
  notify(campaign: FakeVoiceCampaign, status?: string): Promise<number>;
}

export async function startFakeVoicePartner(): Promise<FakeVoicePartner> {
  const state = createVoicePartnerState();
  const server = await startFakeServer((req, res) =>
    req.method === 'POST' && req.path === '/v1/campaign/send'
      ? answerCampaignSend(state, req, res)
      : sendJson(res, 404, { success: false, code: 404, message: 'Not found' }),
  );
  const { keys, audios, stopList, modes, campaigns } = state;
  return {
    ...server,
    baseUrl: `${server.url}/v1`,
    keys,
    audios,
    stopList,
    modes,
    campaigns,
    get rateLimited() {
      return state.rateLimited;
    },
    notify,
    async close() {
      state.faults.release();
      await server.close();
    },
  };
}

async function notify(campaign: FakeVoiceCampaign, status = 'done'): Promise<number> {
  if (!campaign.notifyUrl) throw new Error(`campaign ${campaign.campaignId} has no notifyUrl`);
  const url = new URL(campaign.notifyUrl);
  // Invented: Voice Partner documents no parameter for this callback.
  url.searchParams.set('campaignId', campaign.campaignId);
  url.searchParams.set('status', status);
  return (await fetch(url)).status;
}
