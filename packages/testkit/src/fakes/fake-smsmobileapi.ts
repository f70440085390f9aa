// SMSMobileAPI on 127.0.0.1 following providers.md §1: /sendsms/ and /sendsms, GET and POST
// with query and form merged, `apikey` auth, the documented success body, and switchable
// failure modes (errors as HTTP 200 bodies, 429 with Retry-After, 5xx, a hang, or any of those
// for a share of calls), and the log of sent SMS. Received SMS are read with /getsms/ and, for a
// key with a Webhook V2 endpoint configured, pushed signed; so are what the phone then did with a
// sent SMS (sms.sent, sms.failed).
import { startFakeServer, type FakeServer, type RecordedRequest } from '../fake-server.js';
import { receiveSms, reportOnPhone, type PushOptions } from './smsmobileapi-phone.js';
import { routeSmsMobileApi } from './smsmobileapi-routes.js';
import { createSmsMobileApiState, type SmsMobileApiState } from './smsmobileapi-state.js';
import type { WebhookV2Delivery } from './smsmobileapi-webhook-v2.js';

export interface FakeSmsMobileApi extends FakeServer, Omit<SmsMobileApiState, 'faults'> {
  /** The requests made with this key, in query or form, on any route: one account's calls among all. */
  requestsWithKey(apikey: string): RecordedRequest[];
  /** An SMS reaches the key's phone: kept for /getsms/ and pushed as `sms.received` if a webhook is set. */
  receive(apikey: string, sms: { from: string; message: string }, options?: PushOptions): Promise<WebhookV2Delivery[]>;
  /** The phone reports on a sent SMS: pushed as `sms.sent` or `sms.failed` (with the reason) to its key's webhook. */
  reportOnPhone(
    guid: string,
    report: { sent: true } | { failed: string },
    options?: PushOptions,
  ): Promise<WebhookV2Delivery[]>;
}

export async function startFakeSmsMobileApi(): Promise<FakeSmsMobileApi> {
  const state = createSmsMobileApiState();
  const server = await startFakeServer((req, res) => routeSmsMobileApi(state, req, res));
  const { faults, ...exposed } = state;
  return {
    ...server,
    ...exposed,
    requestsWithKey: (apikey) =>
      server.requests.filter(
        (req) => req.query.get('apikey') === apikey || new URLSearchParams(req.body).get('apikey') === apikey,
      ),
    receive: (apikey, sms, options) => receiveSms(state, apikey, sms, options),
    reportOnPhone: (guid, report, options) => reportOnPhone(state, guid, report, options),
    async close() {
      faults.release();
      await server.close();
    },
  };
}
