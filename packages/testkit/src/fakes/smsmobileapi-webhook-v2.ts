// SMSMobileAPI Webhook V2 deliveries as the provider makes them (providers.md §1.5): a JSON
// envelope POSTed with X-SMSMobileAPI-Event, -Event-ID, -Timestamp (unix s), -Signature
// `v1=<hex>` (HMAC-SHA256 of "<timestamp>." + raw body with the account's secret) and
// Idempotency-Key. Delivery is at least once: a redelivery posts the same body, signed anew.
import { createHmac, randomUUID } from 'node:crypto';

export interface WebhookV2Event {
  id: string;
  type: string;
  api_version: string;
  /** ISO 8601 as the fake writes them by default; other formats are possible (§1.5 does not say). */
  created_at: string | number;
  occurred_at: string | number;
  data: Record<string, unknown>;
}

export interface WebhookV2Request {
  headers: Record<string, string>;
  /** The raw body, exactly as signed. */
  body: string;
}

export interface WebhookV2Delivery {
  event: WebhookV2Event;
  status: number;
  body: unknown;
}

export function webhookV2Event(type: string, data: Record<string, unknown>): WebhookV2Event {
  const now = new Date().toISOString();
  return { id: randomUUID(), type, api_version: '2026-09-22', created_at: now, occurred_at: now, data };
}

/**
 * The request the provider sends for `event`, signed at `timestampUnix` (now by default);
 * `rawBody` signs and sends other bytes instead (a body that is no JSON).
 */
export function signWebhookV2(
  secret: string,
  event: WebhookV2Event,
  options: { timestampUnix?: number; idempotencyKey?: string; rawBody?: string } = {},
): WebhookV2Request {
  const body = options.rawBody ?? JSON.stringify(event);
  const timestamp = String(options.timestampUnix ?? Math.floor(Date.now() / 1000));
  const signature = createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex');
  return {
    body,
    headers: {
      'content-type': 'application/json',
      'x-smsmobileapi-event': event.type,
      'x-smsmobileapi-event-id': event.id,
      'x-smsmobileapi-timestamp': timestamp,
      'x-smsmobileapi-signature': `v1=${signature}`,
      'idempotency-key': options.idempotencyKey ?? randomUUID(),
    },
  };
}

/** Posts `event` to `url`; `redeliver` posts it a second time (same body and key, new timestamp). */
export async function postWebhookV2(
  url: string,
  secret: string,
  event: WebhookV2Event,
  options: { redeliver?: boolean } = {},
): Promise<WebhookV2Delivery[]> {
  const idempotencyKey = randomUUID();
  const deliveries: WebhookV2Delivery[] = [];
  for (let i = 0; i < (options.redeliver ? 2 : 1); i++) {
    const request = signWebhookV2(secret, event, { idempotencyKey });
    const response = await fetch(url, { method: 'POST', headers: request.headers, body: request.body });
    const text = await response.text();
    deliveries.push({ event, status: response.status, body: text ? (JSON.parse(text) as unknown) : null });
  }
  return deliveries;
}
