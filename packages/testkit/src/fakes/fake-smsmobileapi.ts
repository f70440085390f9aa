// SMSMobileAPI on 127.0.0.1 following providers.md §1: /sendsms/ and /sendsms, GET and POST
// with query and form merged, `apikey` auth, the documented success body, and switchable
// failure modes (errors as HTTP 200 bodies, 429 with Retry-After, 5xx, a hang, or any of those
// for a share of calls), and the log of
// sent SMS (/log/sent/sms/; its real schema is undocumented: this is one plausible shape).
// Received SMS are read with /getsms/ and, for a key with a Webhook V2 endpoint configured (as in
// the dashboard), pushed signed; so are what the phone then did with a sent SMS (sms.sent,
// sms.failed: their data is undocumented, this is one plausible shape carrying the send GUID).
import { randomBytes } from 'node:crypto';
import type { ServerResponse } from 'node:http';
import { sendJson, startFakeServer, type FakeServer } from '../fake-server.js';
import { postWebhookV2, webhookV2Event, type WebhookV2Delivery } from './smsmobileapi-webhook-v2.js';

export interface FakeSmsSent {
  guid: string;
  apikey: string;
  recipients: string;
  message: string;
  /** When it was accepted, unix seconds. */
  timestampUnix: number;
}

export interface FakeSmsMobileApiModes {
  /** Answer key errors with HTTP 200 and {result: {error, sent: "0"}}, as the API sometimes does. */
  errorsAsHttp200: boolean;
  /** The next N sends answer 429 with Retry-After. */
  rateLimitNext: number;
  /** The next N sends answer 503. */
  serverErrorNext: number;
  /** Sends are received but never answered. */
  hang: boolean;
  /** Sends are accepted (logged as sent) but never answered: the phone sends, the answer is lost. */
  acceptThenHang: boolean;
  /** How long a send waits before it is answered (ms), as a slow phone would. */
  delayMs: number;
  /** Share of sends (0..1, spread evenly) that meet `faultKind` instead of the normal answer. */
  faultRatio: number;
  /** 503 (a 5xx), 429 with Retry-After, or received and never answered (not sent). */
  faultKind: 'server_error' | 'rate_limited' | 'hang';
}

/** How the fake answers a key: `rate_limited` is one dealer's key over its own limit (429 + Retry-After: 60). */
export type FakeSmsKeyState = 'valid' | 'expired' | 'rate_limited';

export interface FakeSmsMobileApi extends FakeServer {
  keys: Map<string, FakeSmsKeyState>;
  /** 429 answers, per API key. */
  rateLimited: Map<string, number>;
  /** Received SMS per API key, as /getsms/ returns them (a row set without `guid` is served without one). */
  inbox: Map<string, FakeReceivedSms[]>;
  /** Webhook V2 endpoint and signing secret per API key. */
  webhooks: Map<string, { url: string; secret: string }>;
  modes: FakeSmsMobileApiModes;
  sent: FakeSmsSent[];
  /** An SMS reaches the key's phone: kept for /getsms/ and pushed as `sms.received` if a webhook is set. */
  receive(apikey: string, sms: { from: string; message: string }, options?: { redeliver?: boolean }): Promise<WebhookV2Delivery[]>;
  /** The phone reports on a sent SMS: pushed as `sms.sent` or `sms.failed` (with the reason) to its key's webhook. */
  reportOnPhone(guid: string, report: { sent: true } | { failed: string }, options?: { redeliver?: boolean }): Promise<WebhookV2Delivery[]>;
}

export interface FakeReceivedSms {
  number: string;
  message: string;
  timestamp_unix: number;
  guid?: string;
}

export async function startFakeSmsMobileApi(): Promise<FakeSmsMobileApi> {
  const keys = new Map<string, FakeSmsKeyState>();
  const rateLimited = new Map<string, number>();
  const modes: FakeSmsMobileApiModes = { errorsAsHttp200: false, rateLimitNext: 0, serverErrorNext: 0, hang: false, acceptThenHang: false, delayMs: 0, faultRatio: 0, faultKind: 'server_error' };
  let sendCalls = 0;
  const sent: FakeSmsSent[] = [];
  const inbox: FakeSmsMobileApi['inbox'] = new Map();
  const hanging: ServerResponse[] = [];

  const keyError = (res: ServerResponse, status: number, error: string) =>
    modes.errorsAsHttp200
      ? sendJson(res, 200, { result: { error, sent: '0' } })
      : sendJson(res, status, { success: false, error });

  const server = await startFakeServer(async (req, res) => {
    if (req.path === '/getsms/' && req.method === 'GET') {
      const key = req.query.get('apikey') ?? '';
      if (keys.get(key) !== 'valid') return sendJson(res, 403, { success: false, error: 'invalid_apikey' });
      const after = Number(req.query.get('after_timestamp_unix') ?? 0);
      const sms = (inbox.get(key) ?? []).filter((m) => (m.timestamp_unix > 1e12 ? m.timestamp_unix / 1000 : m.timestamp_unix) > after)
        .map((m, id) => ({ id, sIdentifiantPhone: 'phone-1', alias: null, ...m }));
      return sendJson(res, 200, { result: { error: '', sms } });
    }
    if (req.path === '/log/sent/sms/' && req.method === 'GET') {
      const key = req.query.get('apikey') ?? '';
      if (keys.get(key) !== 'valid') return sendJson(res, 403, { success: false, error: 'invalid_apikey' });
      const logged = sent.filter((m) => m.apikey === key).map((m) => ({
        guid: m.guid, number: m.recipients, message: m.message, status: 'Success', timestamp_unix: m.timestampUnix,
      }));
      return sendJson(res, 200, { result: { error: 0, sms: logged } });
    }
    if (!['/sendsms/', '/sendsms'].includes(req.path) || !['GET', 'POST'].includes(req.method)) {
      return sendJson(res, 404, { error: 'not_found' });
    }
    const params = new URLSearchParams(req.query);
    for (const [k, v] of new URLSearchParams(req.body)) params.set(k, v);
    // Every call moves the counter, so the faulty share is exact and spread, not random.
    sendCalls++;
    const faulty = Math.floor(sendCalls * modes.faultRatio) > Math.floor((sendCalls - 1) * modes.faultRatio);
    if (modes.hang || (faulty && modes.faultKind === 'hang')) {
      hanging.push(res);
      return;
    }
    if (faulty && modes.faultKind === 'rate_limited') {
      return sendJson(res, 429, { error: 'too_many_requests', message: 'slow down' }, { 'retry-after': '2' });
    }
    if (faulty && modes.faultKind === 'server_error') {
      return sendJson(res, 503, { success: false, error: 'server_error', detail: 'maintenance' });
    }
    if (modes.rateLimitNext > 0) {
      modes.rateLimitNext--;
      return sendJson(res, 429, { error: 'too_many_requests', message: 'slow down' }, { 'retry-after': '2' });
    }
    if (modes.serverErrorNext > 0) {
      modes.serverErrorNext--;
      return sendJson(res, 503, { success: false, error: 'server_error', detail: 'maintenance' });
    }
    const apikey = params.get('apikey');
    if (!apikey) return keyError(res, 400, 'missing_apikey');
    const state = keys.get(apikey);
    if (!state) return keyError(res, 403, 'invalid_apikey');
    if (state === 'expired') return keyError(res, 403, 'api_expired');
    if (state === 'rate_limited') {
      rateLimited.set(apikey, (rateLimited.get(apikey) ?? 0) + 1);
      return sendJson(res, 429, { error: 'too_many_requests', message: 'slow down' }, { 'retry-after': '60' });
    }
    const recipients = params.get('recipients');
    const message = params.get('message');
    if (!recipients || !message) return sendJson(res, 400, { error: 'missing_parameter', message: 'recipients and message are required' });
    const guid = randomBytes(20).toString('hex');
    sent.push({ guid, apikey, recipients, message, timestampUnix: Math.floor(Date.now() / 1000) });
    if (modes.acceptThenHang) {
      hanging.push(res);
      return;
    }
    if (modes.delayMs > 0) await new Promise((r) => setTimeout(r, modes.delayMs));
    return sendJson(res, 200, {
      result: {
        error: 0, sent: '1', id: guid, note: 'sent by mobile', datetime: new Date().toISOString(),
        datetimeLocal: new Date().toISOString(), port: null, iac_control: '1', iac_authorized: '1',
        send_with_whatsapp: '0', encrypted: { status: '0' }, trial_account: { status: '0', sms_sent: 0 },
      },
    });
  });

  const webhooks: FakeSmsMobileApi['webhooks'] = new Map();
  const push = async (apikey: string, type: string, data: Record<string, unknown>, options: { redeliver?: boolean } = {}) => {
    const webhook = webhooks.get(apikey);
    return webhook ? postWebhookV2(webhook.url, webhook.secret, webhookV2Event(type, data), options) : [];
  };

  return {
    ...server,
    keys,
    rateLimited,
    inbox,
    webhooks,
    modes,
    sent,
    async receive(apikey, sms, options) {
      const guid = randomBytes(20).toString('hex');
      const now = new Date();
      inbox.set(apikey, [...(inbox.get(apikey) ?? []), { number: sms.from, message: sms.message, timestamp_unix: Math.floor(now.getTime() / 1000), guid }]);
      return push(apikey, 'sms.received', { guid, from: sms.from, message: sms.message, received_at: now.toISOString(), alias: null, device_id: 'phone-1' }, options);
    },
    async reportOnPhone(guid, report, options) {
      const sms = sent.find((m) => m.guid === guid);
      if (!sms) throw new Error(`no SMS sent with guid ${guid}`);
      const at = new Date().toISOString();
      return 'sent' in report
        ? push(sms.apikey, 'sms.sent', { guid, to: sms.recipients, status: 'sent', sent_at: at, device_id: 'phone-1' }, options)
        : push(sms.apikey, 'sms.failed', { guid, to: sms.recipients, status: 'failed', error: report.failed, failed_at: at, device_id: 'phone-1' }, options);
    },
    async close() {
      for (const res of hanging) res.destroy();
      await server.close();
    },
  };
}
