// The fake Voice Partner's POST /v1/campaign/send (providers.md §2.2, §2.3): JSON in, each key's
// sliding-window rate limit, the scripted faults, then the campaign's checks. Refusals are
// `success:false` bodies sent with HTTP 200 or, in the errorsAsHttp400 mode, 400.
import type { ServerResponse } from 'node:http';
import { sendJson, type RecordedRequest } from '../fake-server.js';
import { acceptCampaign, checkCampaign, type CampaignRequest } from './voice-partner-campaign.js';
import type { VoicePartnerState } from './voice-partner-state.js';

const TOO_MANY_REQUESTS = { success: false, code: 429, message: 'Trop de requêtes' };

export async function answerCampaignSend(
  state: VoicePartnerState,
  req: RecordedRequest,
  res: ServerResponse,
): Promise<void> {
  let body: CampaignRequest;
  try {
    body = JSON.parse(req.body) as CampaignRequest;
  } catch {
    return sendJson(res, 400, { success: false, code: 400, message: 'Invalid JSON' });
  }
  const { modes, faults } = state;
  const { full, rateHeaders } = countInWindow(state, body.apiKey ?? '');
  if (full) {
    state.rateLimited++;
    return sendJson(res, 429, TOO_MANY_REQUESTS, {
      ...rateHeaders,
      'retry-after': String(Math.ceil(modes.windowMs / 1000)),
    });
  }
  const faulty = faults.nextIsFaulty(modes.faultRatio);
  if (modes.hang || (faulty && modes.faultKind === 'hang')) return faults.hang(res);
  if (faulty && modes.faultKind === 'rate_limited')
    return sendJson(res, 429, TOO_MANY_REQUESTS, { ...rateHeaders, 'retry-after': '2' });
  if (faulty && modes.faultKind === 'server_error')
    return sendJson(res, 500, { success: false, code: 500, message: 'Erreur interne' });
  if (modes.delayMs > 0) await new Promise((r) => setTimeout(r, modes.delayMs));
  const checked = checkCampaign(state, body);
  if ('refusal' in checked)
    return sendJson(res, modes.errorsAsHttp400 ? 400 : 200, { success: false, ...checked.refusal }, rateHeaders);
  return sendJson(res, 200, acceptCampaign(state, checked.campaign, req.receivedAt), rateHeaders);
}

/** Counts the request in its key's sliding window, unless the window is already full. */
function countInWindow(
  state: VoicePartnerState,
  apiKey: string,
): { full: boolean; rateHeaders: Record<string, string> } {
  const { requestsPerMinute, windowMs } = state.modes;
  const now = Date.now();
  const window = (state.recent.get(apiKey) ?? []).filter((t) => t > now - windowMs);
  const rateHeaders = {
    'x-ratelimit-limit': String(requestsPerMinute),
    'x-ratelimit-remaining': String(Math.max(0, requestsPerMinute - window.length - 1)),
  };
  if (window.length >= requestsPerMinute) return { full: true, rateHeaders };
  state.recent.set(apiKey, [...window, now]);
  return { full: false, rateHeaders };
}
