// The fake SMSMobileAPI's endpoints (providers.md §1.2, §1.4): /sendsms/ (with or without the
// slash), /getsms/ for received SMS, and the log of sent SMS (/log/sent/sms/; its real schema is
// undocumented: this is one plausible shape).
import type { ServerResponse } from 'node:http';
import { sendJson, type RecordedRequest } from '../fake-server.js';
import { answerSendSms, keyError, tooManyRequests } from './smsmobileapi-send.js';
import type { SmsMobileApiState } from './smsmobileapi-state.js';

export async function routeSmsMobileApi(
  state: SmsMobileApiState,
  req: RecordedRequest,
  res: ServerResponse,
): Promise<void> {
  if (req.path === '/getsms/' && req.method === 'GET') return answerGetSms(state, req, res);
  if (req.path === '/log/sent/sms/' && req.method === 'GET') return answerSentLog(state, req, res);
  if (['/sendsms/', '/sendsms'].includes(req.path) && ['GET', 'POST'].includes(req.method))
    return answerSendSms(state, req, res);
  return sendJson(res, 404, { error: 'not_found' });
}

function answerGetSms(state: SmsMobileApiState, req: RecordedRequest, res: ServerResponse): void {
  const key = req.query.get('apikey') ?? '';
  // Each key state answers as it does on /sendsms/.
  const keyState = state.keys.get(key);
  if (keyState === 'hanging') return state.faults.hang(res);
  if (keyState === 'rate_limited') return tooManyRequests(res, 60);
  if (keyState !== 'valid') return keyError(state, res, 403, keyState === 'expired' ? 'api_expired' : 'invalid_apikey');
  const after = Number(req.query.get('after_timestamp_unix') ?? 0);
  // A timestamp above 1e12 is in milliseconds.
  const sms = (state.inbox.get(key) ?? [])
    .filter((m) => (m.timestamp_unix > 1e12 ? m.timestamp_unix / 1000 : m.timestamp_unix) > after)
    .map((m, id) => ({ id, sIdentifiantPhone: 'phone-1', alias: null, ...m }));
  return sendJson(res, 200, {
    result: { error: '', sms: sms.length === 0 && state.modes.emptyInboxAsNull ? null : sms },
  });
}

function answerSentLog(state: SmsMobileApiState, req: RecordedRequest, res: ServerResponse): void {
  const key = req.query.get('apikey') ?? '';
  if (state.keys.get(key) === 'hanging') return state.faults.hang(res);
  if (state.keys.get(key) !== 'valid') return sendJson(res, 403, { success: false, error: 'invalid_apikey' });
  const logged = state.sent
    .filter((m) => m.apikey === key)
    .map((m) => ({
      guid: m.guid,
      number: m.recipients,
      message: m.message,
      status: 'Success',
      timestamp_unix: m.timestampUnix,
    }));
  return sendJson(res, 200, { result: { error: 0, sms: logged } });
}
