// SMSMobileAPI Webhook V2 (providers.md §1.5): the signature over the raw body and the events the
// worker acts on. `sms.received` has a documented sample; the data of `sms.sent` / `sms.failed`
// is undocumented, so the send GUID and the reason are looked for under the likely names.
import { createHmac, timingSafeEqual } from 'node:crypto';
import { z } from 'zod';
import { TIMEOUTS_MS } from '../config/worker.config.js';

/** The timestamp header is unix seconds; too old (a replay) or too far ahead is refused. */
export function isFreshWebhookTimestamp(header: string | undefined, now: Date): boolean {
  if (!header || !/^\d{1,12}$/.test(header)) return false;
  return Math.abs(now.getTime() - Number(header) * 1000) <= TIMEOUTS_MS.smsWebhookMaxAge;
}

/** `v1=<hex>` with hex = HMAC-SHA256(secret, "<timestamp>." + raw body), compared in constant time. */
export function hasValidWebhookSignature(input: {
  secret: string;
  timestamp: string;
  signature: string | undefined;
  rawBody: Buffer;
}): boolean {
  const given = /^v1=([0-9a-f]{64})$/i.exec(input.signature ?? '')?.[1];
  if (!given) return false;
  const expected = createHmac('sha256', input.secret).update(`${input.timestamp}.`).update(input.rawBody).digest();
  return timingSafeEqual(expected, Buffer.from(given, 'hex'));
}

/** Text Postgres can store (no NUL character): anything else is a 400, never a 500. */
const text = (max: number) =>
  z
    .string()
    .max(max)
    .refine((s) => !s.includes('\u0000'), 'must not contain a NUL character');

/** Unix seconds, or milliseconds past 1e12 (§1.4 saw both), as a number or digits. */
const unixTime = z
  .union([z.number().nonnegative(), z.string().regex(/^\d+(\.\d+)?$/)])
  .transform(Number)
  .transform((n) => new Date(n > 1e12 ? n : n * 1000));

/** ISO 8601 with or without an offset (none: UTC), or with a space for the `T`. */
const isoTime = z
  .string()
  .transform((s) => s.replace(' ', 'T'))
  .pipe(z.iso.datetime({ offset: true, local: true }))
  .transform((s) => new Date(/(Z|[+-]\d{2}:\d{2})$/.test(s) ? s : `${s}Z`));

const providerTime = z.union([unixTime, isoTime]).refine((d) => !Number.isNaN(d.getTime()));

/**
 * §1.5 says "ISO" but not with which offset, and the data sample gives no format: a time that
 * cannot be read is treated as absent, since refusing the event would lose it (a STOP) for good.
 */
function readProviderTime(value: unknown): Date | null {
  const read = providerTime.safeParse(value);
  return read.success ? read.data : null;
}

/** The event envelope (the OpenAPI document shows it); strict on what identifies and carries the event. */
export const smsWebhookEnvelope = z.looseObject({
  id: z.guid(),
  type: text(100).min(1),
  occurred_at: z.unknown().optional().describe('ISO 8601 or unix time, read leniently'),
  data: z.record(z.string(), z.unknown()),
});

const receivedSchema = z.looseObject({
  // Untyped in §1.5: a number is taken as its digits, as /getsms/ rows are read.
  guid: z.union([text(200).min(1), z.number().int().nonnegative().transform(String)]),
  from: z.union([text(50).min(1), z.number().int().nonnegative().transform(String)]),
  message: text(10_000),
  received_at: z.unknown().optional(),
});

export type SmsWebhookEvent = { id: string; type: string } & (
  | { kind: 'received'; guid: string; from: string; message: string; receivedAt: Date }
  | { kind: 'sent'; guid: string | null; at: Date }
  | { kind: 'failed'; guid: string | null; reason: string }
  | { kind: 'other' }
);

const GUID_KEYS = ['guid', 'message_guid', 'guid_message', 'sms_guid', 'message_id', 'id'];
const REASON_KEYS = ['error', 'reason', 'error_message', 'failure_reason', 'error_code', 'status'];

/** The first short text under one of `keys`, in the data or an object nested as `sms`/`message`. */
function firstText(data: Record<string, unknown>, keys: string[], max: number): string | null {
  const places = [data, data.sms, data.message].filter(
    (p): p is Record<string, unknown> => typeof p === 'object' && p !== null,
  );
  for (const place of places) {
    for (const key of keys) {
      const value = place[key];
      if ((typeof value === 'string' && value !== '') || typeof value === 'number')
        return String(value).replaceAll('\u0000', '').slice(0, max);
    }
  }
  return null;
}

const issues = (error: z.ZodError, prefix: string) =>
  error.issues.map((i) => `${[prefix, ...i.path].filter(Boolean).join('.') || 'body'} ${i.message}`).join('; ');

/** The event of a verified body, or why it is not one (a 400). */
export function parseSmsWebhookEvent(
  body: unknown,
): { ok: true; event: SmsWebhookEvent } | { ok: false; reason: string } {
  const envelope = smsWebhookEnvelope.safeParse(body);
  if (!envelope.success) return { ok: false, reason: issues(envelope.error, '') };
  const { id, type, data } = envelope.data;
  const occurredAt = readProviderTime(envelope.data.occurred_at) ?? new Date();
  switch (type) {
    case 'sms.received': {
      const received = receivedSchema.safeParse(data);
      if (!received.success) return { ok: false, reason: issues(received.error, 'data') };
      const { guid, from, message, received_at: at } = received.data;
      return {
        ok: true,
        event: { id, type, kind: 'received', guid, from, message, receivedAt: readProviderTime(at) ?? occurredAt },
      };
    }
    case 'sms.sent':
      return { ok: true, event: { id, type, kind: 'sent', guid: firstText(data, GUID_KEYS, 200), at: occurredAt } };
    case 'sms.failed':
      return {
        ok: true,
        event: {
          id,
          type,
          kind: 'failed',
          guid: firstText(data, GUID_KEYS, 200),
          reason: firstText(data, REASON_KEYS, 500) ?? 'failed on the phone',
        },
      };
    default:
      return { ok: true, event: { id, type, kind: 'other' } };
  }
}
