// What the key's phone does on its own: it receives SMS (kept for /getsms/) and reports on the
// SMS it sent. Both are pushed, signed, to the key's Webhook V2 endpoint if one is configured (as
// in the dashboard); sms.sent and sms.failed carry undocumented data: this is one plausible shape
// carrying the send GUID.
import { randomBytes } from 'node:crypto';
import type { SmsMobileApiState } from './smsmobileapi-state.js';
import { postWebhookV2, webhookV2Event, type WebhookV2Delivery } from './smsmobileapi-webhook-v2.js';

export interface PushOptions {
  redeliver?: boolean;
}

export async function receiveSms(
  state: SmsMobileApiState,
  apikey: string,
  sms: { from: string; message: string },
  options?: PushOptions,
): Promise<WebhookV2Delivery[]> {
  const guid = randomBytes(20).toString('hex');
  const now = new Date();
  state.inbox.set(apikey, [
    ...(state.inbox.get(apikey) ?? []),
    { number: sms.from, message: sms.message, timestamp_unix: Math.floor(now.getTime() / 1000), guid },
  ]);
  return push(
    state,
    apikey,
    'sms.received',
    { guid, from: sms.from, message: sms.message, received_at: now.toISOString(), alias: null, device_id: 'phone-1' },
    options,
  );
}

export async function reportOnPhone(
  state: SmsMobileApiState,
  guid: string,
  report: { sent: true } | { failed: string },
  options?: PushOptions,
): Promise<WebhookV2Delivery[]> {
  const sms = state.sent.find((m) => m.guid === guid);
  if (!sms) throw new Error(`no SMS sent with guid ${guid}`);
  const at = new Date().toISOString();
  return 'sent' in report
    ? push(
        state,
        sms.apikey,
        'sms.sent',
        { guid, to: sms.recipients, status: 'sent', sent_at: at, device_id: 'phone-1' },
        options,
      )
    : push(
        state,
        sms.apikey,
        'sms.failed',
        { guid, to: sms.recipients, status: 'failed', error: report.failed, failed_at: at, device_id: 'phone-1' },
        options,
      );
}

async function push(
  state: SmsMobileApiState,
  apikey: string,
  type: string,
  data: Record<string, unknown>,
  options: PushOptions = {},
): Promise<WebhookV2Delivery[]> {
  const webhook = state.webhooks.get(apikey);
  return webhook ? postWebhookV2(webhook.url, webhook.secret, webhookV2Event(type, data), options) : [];
}
