// What the key's phone does on its own: it receives SMS (kept for /getsms/) and reports on the
// SMS it sent. Both are pushed, signed, to the key's Webhook V2 endpoint if one is configured (as
// in the dashboard); sms.sent and sms.failed carry undocumented data: this is one plausible shape
// carrying the send GUID.
import { randomBytes, randomInt } from 'node:crypto';
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
  const guid = state.modes.numericGuids ? randomInt(1, 2 ** 47) : randomBytes(20).toString('hex');
  const now = new Date();
  state.inbox.set(apikey, [
    ...(state.inbox.get(apikey) ?? []),
    { number: sms.from, message: sms.message, timestamp_unix: Math.floor(now.getTime() / 1000), guid },
  ]);
  return push(
    state,
    apikey,
    'sms.received',
    { guid, from: sms.from, message: sms.message, received_at: timeAs(state, now), alias: null, device_id: 'phone-1' },
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
  const at = timeAs(state, new Date());
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
  if (!webhook) return [];
  const at = timeAs(state, new Date());
  const event = { ...webhookV2Event(type, data), created_at: at, occurred_at: at };
  return postWebhookV2(webhook.url, webhook.secret, event, options);
}

/** A time written the way the `webhookTimes` mode says. */
function timeAs(state: SmsMobileApiState, at: Date): string | number {
  switch (state.modes.webhookTimes) {
    case 'unix_seconds':
      return Math.floor(at.getTime() / 1000);
    case 'naive':
      return at.toISOString().slice(0, 19).replace('T', ' ');
    case 'iso':
      return at.toISOString();
  }
}
