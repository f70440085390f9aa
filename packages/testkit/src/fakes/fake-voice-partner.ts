// Voice Partner on 127.0.0.1 following providers.md §2: POST /v1/campaign/send with JSON,
// `success:false` error bodies (code 9 with errors[], 10 bad key, 11 no credit, 14 STOP list)
// sent with HTTP 200 or 400 (switch), 5 requests per minute per key → 429, x-ratelimit headers,
// and scripted faults (a hang, a delay, or 500 / 429 / a hang for a share of calls).
import { randomBytes } from 'node:crypto';
import type { ServerResponse } from 'node:http';
import { sendJson, startFakeServer, type FakeServer } from '../fake-server.js';

export interface FakeVoiceCampaign {
  campaignId: string;
  apiKey: string;
  tokenAudio: string;
  emailForNotification: string;
  phoneNumbers: string;
  sender?: string;
}

export interface FakeVoicePartner extends FakeServer {
  /** Base URL to give the client, ending in /v1. */
  baseUrl: string;
  /** API key → remaining credit. */
  keys: Map<string, number>;
  /** Valid audio tokens of the account library. */
  audios: Set<string>;
  /** Numbers (E.164) on Voice Partner's STOP list. */
  stopList: Set<string>;
  modes: FakeVoicePartnerModes;
  campaigns: FakeVoiceCampaign[];
}

export interface FakeVoicePartnerModes {
  errorsAsHttp400: boolean;
  requestsPerMinute: number;
  hang: boolean;
  /** How long a send waits before it is answered (ms). */
  delayMs: number;
  /** Share of sends (0..1, spread evenly) that meet `faultKind` instead of the normal answer. */
  faultRatio: number;
  /** HTTP 500, 429 with Retry-After (the `success:false` shape), or received and never answered. */
  faultKind: 'server_error' | 'rate_limited' | 'hang';
}

const normalise = (n: string) => (n.startsWith('0') ? `+33${n.slice(1)}` : n);

export async function startFakeVoicePartner(): Promise<FakeVoicePartner> {
  const keys = new Map<string, number>();
  const audios = new Set<string>();
  const stopList = new Set<string>();
  const modes: FakeVoicePartnerModes = { errorsAsHttp400: false, requestsPerMinute: 5, hang: false, delayMs: 0, faultRatio: 0, faultKind: 'server_error' };
  let sendCalls = 0;
  const campaigns: FakeVoiceCampaign[] = [];
  const recent = new Map<string, number[]>();
  const hanging: ServerResponse[] = [];

  const server = await startFakeServer(async (req, res) => {
    if (req.method !== 'POST' || req.path !== '/v1/campaign/send') return sendJson(res, 404, { success: false, code: 404, message: 'Not found' });
    let body: Partial<FakeVoiceCampaign>;
    try {
      body = JSON.parse(req.body) as Partial<FakeVoiceCampaign>;
    } catch {
      return sendJson(res, 400, { success: false, code: 400, message: 'Invalid JSON' });
    }
    const apiKey = body.apiKey ?? '';
    const now = Date.now();
    const window = (recent.get(apiKey) ?? []).filter((t) => t > now - 60_000);
    const rateHeaders = { 'x-ratelimit-limit': String(modes.requestsPerMinute), 'x-ratelimit-remaining': String(Math.max(0, modes.requestsPerMinute - window.length - 1)) };
    if (window.length >= modes.requestsPerMinute) {
      return sendJson(res, 429, { success: false, code: 429, message: 'Trop de requêtes' }, { ...rateHeaders, 'retry-after': '60' });
    }
    recent.set(apiKey, [...window, now]);
    // Every call moves the counter, so the faulty share is exact and spread, not random.
    sendCalls++;
    const faulty = Math.floor(sendCalls * modes.faultRatio) > Math.floor((sendCalls - 1) * modes.faultRatio);
    if (modes.hang || (faulty && modes.faultKind === 'hang')) {
      hanging.push(res);
      return;
    }
    if (faulty && modes.faultKind === 'rate_limited') {
      return sendJson(res, 429, { success: false, code: 429, message: 'Trop de requêtes' }, { ...rateHeaders, 'retry-after': '2' });
    }
    if (faulty && modes.faultKind === 'server_error') return sendJson(res, 500, { success: false, code: 500, message: 'Erreur interne' });
    if (modes.delayMs > 0) await new Promise((r) => setTimeout(r, modes.delayMs));
    const fail = (error: object) => sendJson(res, modes.errorsAsHttp400 ? 400 : 200, { success: false, ...error }, rateHeaders);
    if (!apiKey) return fail({ code: 1, message: 'Clé API requise' });
    const credit = keys.get(apiKey);
    if (credit === undefined) return fail({ code: 10, message: 'Clé API incorrecte' });
    const phone = normalise(body.phoneNumbers ?? '');
    if (!/^\+33[1-9]\d{8}$/.test(phone)) {
      return fail({ code: 9, errors: [{ elementId: 'children[phoneNumbers].data', message: `Ce numero de telephone n'est pas valide (${phone.slice(-4)})` }] });
    }
    if (!body.tokenAudio || !audios.has(body.tokenAudio)) {
      return fail({ code: 9, errors: [{ elementId: 'children[tokenAudio].data', message: 'Fichier audio introuvable' }] });
    }
    if (!body.emailForNotification) return fail({ code: 9, errors: [{ elementId: 'children[emailForNotification].data', message: 'Email requis' }] });
    if (stopList.has(phone)) return fail({ code: 14, message: 'Numéro en liste STOP' });
    if (credit < 1) return fail({ code: 11, message: 'Crédit insuffisant' });
    keys.set(apiKey, credit - 1);
    const campaignId = randomBytes(4).toString('hex').slice(0, 7);
    campaigns.push({ campaignId, apiKey, tokenAudio: body.tokenAudio, emailForNotification: body.emailForNotification, phoneNumbers: phone, ...(body.sender ? { sender: body.sender } : {}) });
    return sendJson(res, 200, {
      success: true, campaignId, cost: 0.15, currency: 'EUR', nbSms: 1,
      audioFile: { filename: `${body.tokenAudio}.wav`, size: '135.8Ko' }, detail: { 33: { nbSms: 1, cost_unity: 0.15, cost: 0.15 } },
    }, rateHeaders);
  });

  return {
    ...server,
    baseUrl: `${server.url}/v1`,
    keys, audios, stopList, modes, campaigns,
    async close() {
      for (const res of hanging) res.destroy();
      await server.close();
    },
  };
}
