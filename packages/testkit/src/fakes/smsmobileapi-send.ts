// The fake SMSMobileAPI's /sendsms/ (providers.md §1.2, §1.3): GET or POST with query and form
// merged, the scripted failures first, then the key's state, then the SMS is accepted.
import { randomBytes } from 'node:crypto';
import type { ServerResponse } from 'node:http';
import { sendJson, type RecordedRequest } from '../fake-server.js';
import type { FakeSmsMobileApiModes, SmsMobileApiState } from './smsmobileapi-state.js';

export async function answerSendSms(
  state: SmsMobileApiState,
  req: RecordedRequest,
  res: ServerResponse,
): Promise<void> {
  const params = new URLSearchParams(req.query);
  for (const [k, v] of new URLSearchParams(req.body)) params.set(k, v);
  const failure = scriptedFailure(state);
  if (failure === 'hang') return state.faults.hang(res);
  if (failure === 'rate_limited') return tooManyRequests(res, 2);
  if (failure === 'server_error') return serverError(res);
  const apikey = params.get('apikey');
  if (!apikey) return keyError(state, res, 400, 'missing_apikey');
  const keyState = state.keys.get(apikey);
  if (!keyState) return keyError(state, res, 403, 'invalid_apikey');
  if (keyState === 'expired') return keyError(state, res, 403, 'api_expired');
  if (keyState === 'hanging') return state.faults.hang(res);
  if (keyState === 'rate_limited') {
    state.rateLimited.set(apikey, (state.rateLimited.get(apikey) ?? 0) + 1);
    return tooManyRequests(res, 60);
  }
  const recipients = params.get('recipients');
  const message = params.get('message');
  if (!recipients || !message)
    return sendJson(res, 400, { error: 'missing_parameter', message: 'recipients and message are required' });
  const guid = randomBytes(20).toString('hex');
  state.sent.push({ guid, apikey, recipients, message, timestampUnix: Math.floor(Date.now() / 1000) });
  if (state.modes.acceptThenHang) return state.faults.hang(res);
  if (state.modes.delayMs > 0) await new Promise((r) => setTimeout(r, state.modes.delayMs));
  return sendJson(res, 200, {
    result: {
      error: 0,
      sent: '1',
      id: guid,
      note: 'sent by mobile',
      datetime: new Date().toISOString(),
      datetimeLocal: new Date().toISOString(),
      port: null,
      iac_control: '1',
      iac_authorized: '1',
      send_with_whatsapp: '0',
      encrypted: { status: '0' },
      trial_account: { status: '0', sms_sent: 0 },
    },
  });
}

/** The failure the modes script for this call, if any; it comes before the key is even read. */
function scriptedFailure(state: SmsMobileApiState): FakeSmsMobileApiModes['faultKind'] | null {
  const { modes } = state;
  const faulty = state.faults.nextIsFaulty(modes.faultRatio);
  if (modes.hang) return 'hang';
  if (faulty) return modes.faultKind;
  if (modes.rateLimitNext > 0) {
    modes.rateLimitNext--;
    return 'rate_limited';
  }
  if (modes.serverErrorNext > 0) {
    modes.serverErrorNext--;
    return 'server_error';
  }
  return null;
}

/** The key's errors come as an HTTP error or, in the errorsAsHttp200 mode, as a 200 body. */
export function keyError(state: SmsMobileApiState, res: ServerResponse, status: number, error: string): void {
  return state.modes.errorsAsHttp200
    ? sendJson(res, 200, { result: { error, sent: '0' } })
    : sendJson(res, status, { success: false, error });
}

export function tooManyRequests(res: ServerResponse, retryAfterSeconds: number): void {
  return sendJson(
    res,
    429,
    { error: 'too_many_requests', message: 'slow down' },
    { 'retry-after': String(retryAfterSeconds) },
  );
}

function serverError(res: ServerResponse): void {
  return sendJson(res, 503, { success: false, error: 'server_error', detail: 'maintenance' });
}
