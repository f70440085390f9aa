// Voice Partner on 127.0.0.1 following providers.md §2: POST /v1/campaign/send with JSON and
// `phoneNumbers` as one comma-separated string (national 06… or +336…, normalised, deduplicated,
// at most 500, counted in nbSms and cost). `success:false` error bodies (code 9 with errors[]
// naming each invalid number or field, 10 bad key, 11 not enough credit, 14 STOP list naming
// the numbers) sent with HTTP 200 or 400 (switch); N requests per window per key → 429;
// x-ratelimit headers; scripted faults (a hang, a delay, or 500 / 429 / a hang for a share of
// calls). `notify` calls a campaign's notifyUrl with invented parameters (the real ones are
// undocumented).
import { randomBytes } from 'node:crypto';
import type { ServerResponse } from 'node:http';
import { sendJson, startFakeServer, type FakeServer } from '../fake-server.js';

export interface FakeVoiceCampaign {
  campaignId: string;
  apiKey: string;
  tokenAudio: string;
  emailForNotification: string;
  /** The campaign's numbers, normalised (E.164), distinct, comma-separated. */
  phoneNumbers: string;
  numbers: string[];
  sender?: string;
  notifyUrl?: string;
  receivedAt: number;
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
  /** Campaign requests answered 429 by the rate limit. */
  rateLimited: number;
  /** GETs the campaign's notifyUrl with synthetic `campaignId` and `status`; returns the HTTP status. */
  notify(campaign: FakeVoiceCampaign, status?: string): Promise<number>;
}

export interface FakeVoicePartnerModes {
  errorsAsHttp400: boolean;
  /** Requests a key may make per `windowMs` (sliding window). */
  requestsPerMinute: number;
  windowMs: number;
  hang: boolean;
  /** How long a send waits before it is answered (ms). */
  delayMs: number;
  /** Share of sends (0..1, spread evenly) that meet `faultKind` instead of the normal answer. */
  faultRatio: number;
  /** HTTP 500, 429 with Retry-After (the `success:false` shape), or received and never answered. */
  faultKind: 'server_error' | 'rate_limited' | 'hang';
}

const MAX_NUMBERS = 500;
const normalise = (n: string) => (n.startsWith('0') ? `+33${n.slice(1)}` : n);

export async function startFakeVoicePartner(): Promise<FakeVoicePartner> {
  const keys = new Map<string, number>();
  const audios = new Set<string>();
  const stopList = new Set<string>();
  const modes: FakeVoicePartnerModes = {
    errorsAsHttp400: false, requestsPerMinute: 5, windowMs: 60_000, hang: false, delayMs: 0, faultRatio: 0, faultKind: 'server_error',
  };
  let sendCalls = 0;
  const campaigns: FakeVoiceCampaign[] = [];
  const recent = new Map<string, number[]>();
  const hanging: ServerResponse[] = [];
  const counters = { rateLimited: 0 };

  const server = await startFakeServer(async (req, res) => {
    if (req.method !== 'POST' || req.path !== '/v1/campaign/send') return sendJson(res, 404, { success: false, code: 404, message: 'Not found' });
    let body: Partial<Omit<FakeVoiceCampaign, 'numbers'>>;
    try {
      body = JSON.parse(req.body) as Partial<FakeVoiceCampaign>;
    } catch {
      return sendJson(res, 400, { success: false, code: 400, message: 'Invalid JSON' });
    }
    const apiKey = body.apiKey ?? '';
    const now = Date.now();
    const window = (recent.get(apiKey) ?? []).filter((t) => t > now - modes.windowMs);
    const rateHeaders = { 'x-ratelimit-limit': String(modes.requestsPerMinute), 'x-ratelimit-remaining': String(Math.max(0, modes.requestsPerMinute - window.length - 1)) };
    if (window.length >= modes.requestsPerMinute) {
      counters.rateLimited++;
      return sendJson(res, 429, { success: false, code: 429, message: 'Trop de requêtes' }, { ...rateHeaders, 'retry-after': String(Math.ceil(modes.windowMs / 1000)) });
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
    const given = (body.phoneNumbers ?? '').split(',').map((n) => n.trim()).filter(Boolean);
    if (given.length === 0) return fail({ code: 2, message: 'Numéros de téléphone requis' });
    const invalid = given.filter((n) => !/^\+33[1-9]\d{8}$/.test(normalise(n)));
    if (invalid.length > 0) {
      return fail({ code: 9, errors: invalid.map((n) => ({ elementId: 'children[phoneNumbers].data', message: `Ce numero de telephone n'est pas valide (${n})` })) });
    }
    const numbers = [...new Set(given.map(normalise))];
    if (numbers.length > MAX_NUMBERS) {
      return fail({ code: 9, errors: [{ elementId: 'children[phoneNumbers].data', message: `${MAX_NUMBERS} numéros maximum par envoi` }] });
    }
    if (!body.tokenAudio || !audios.has(body.tokenAudio)) {
      return fail({ code: 9, errors: [{ elementId: 'children[tokenAudio].data', message: 'Fichier audio introuvable' }] });
    }
    if (!body.emailForNotification) return fail({ code: 9, errors: [{ elementId: 'children[emailForNotification].data', message: 'Email requis' }] });
    const stopped = numbers.filter((n) => stopList.has(n));
    if (stopped.length > 0) return fail({ code: 14, message: `Numéro(s) en liste STOP : ${stopped.join(', ')}` });
    if (credit < numbers.length) return fail({ code: 11, message: 'Crédit insuffisant' });
    keys.set(apiKey, credit - numbers.length);
    const campaignId = randomBytes(4).toString('hex').slice(0, 7);
    campaigns.push({
      campaignId, apiKey, tokenAudio: body.tokenAudio, emailForNotification: body.emailForNotification, phoneNumbers: numbers.join(','), numbers,
      ...(body.sender ? { sender: body.sender } : {}), ...(body.notifyUrl ? { notifyUrl: body.notifyUrl } : {}), receivedAt: req.receivedAt,
    });
    const cost = Math.round(numbers.length * 15) / 100;
    return sendJson(res, 200, {
      success: true, campaignId, cost, currency: 'EUR', nbSms: numbers.length,
      audioFile: { filename: `${body.tokenAudio}.wav`, size: '135.8Ko' }, detail: { 33: { nbSms: numbers.length, cost_unity: 0.15, cost } },
    }, rateHeaders);
  });

  return {
    ...server,
    baseUrl: `${server.url}/v1`,
    keys, audios, stopList, modes, campaigns,
    get rateLimited() {
      return counters.rateLimited;
    },
    async notify(campaign, status = 'done') {
      if (!campaign.notifyUrl) throw new Error(`campaign ${campaign.campaignId} has no notifyUrl`);
      const url = new URL(campaign.notifyUrl);
      // Invented: Voice Partner documents no parameter for this callback.
      url.searchParams.set('campaignId', campaign.campaignId);
      url.searchParams.set('status', status);
      return (await fetch(url)).status;
    },
    async close() {
      for (const res of hanging) res.destroy();
      await server.close();
    },
  };
}
