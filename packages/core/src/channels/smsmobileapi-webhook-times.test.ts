// Webhook V2 times and guids §1.5 does not pin down: read leniently, falling back instead of refusing.
import { describe, expect, it } from 'vitest';
import { webhookV2Event } from '@auto-prospect/testkit';
import { parseSmsWebhookEvent, type SmsWebhookEvent } from './smsmobileapi-webhook.js';

const OCCURRED = '2026-11-28T09:00:00Z';

function received(data: Record<string, unknown>, occurredAt: unknown = OCCURRED): SmsWebhookEvent {
  const event = webhookV2Event('sms.received', { guid: 'g1', from: '+33611000001', message: 'STOP', ...data });
  const parsed = parseSmsWebhookEvent({ ...event, occurred_at: occurredAt });
  if (!parsed.ok) throw new Error(parsed.reason);
  return parsed.event;
}

const receivedAt = (data: Record<string, unknown>, occurredAt?: unknown) => {
  const event = received(data, occurredAt);
  return event.kind === 'received' ? event.receivedAt : null;
};

describe('Webhook V2 times', () => {
  it('reads ISO with or without an offset (none: UTC), a space for the T, unix seconds or ms', () => {
    const at = new Date('2026-11-28T10:00:00Z');
    for (const value of [
      '2026-11-28T10:00:00Z',
      '2026-11-28T11:00:00+01:00',
      '2026-11-28T10:00:00',
      '2026-11-28T10:00:00.000',
      '2026-11-28 10:00:00',
      at.getTime() / 1000,
      String(at.getTime() / 1000),
      at.getTime(),
      String(at.getTime()),
    ])
      expect([value, receivedAt({ received_at: value })]).toEqual([value, at]);
  });

  it('falls back from received_at to occurred_at to now when a time is absent or unreadable', () => {
    for (const value of [undefined, null, '', 'yesterday', '2026-02-30T10:00:00Z', -5, 1e20, true, {}])
      expect(receivedAt({ received_at: value })).toEqual(new Date(OCCURRED));
    expect(receivedAt({}, 1_795_856_400)).toEqual(new Date(OCCURRED));
    const before = Date.now();
    const now = receivedAt({ received_at: 'soon' }, 'later')!.getTime();
    expect(now).toBeGreaterThanOrEqual(before);
    expect(now).toBeLessThanOrEqual(Date.now());
  });

  it('uses the occurred_at of sms.sent the same way', () => {
    const event = { ...webhookV2Event('sms.sent', { guid: 'g2' }), occurred_at: '2026-11-28 09:00:00' };
    expect(parseSmsWebhookEvent(event)).toMatchObject({ ok: true, event: { at: new Date(OCCURRED) } });
  });
});

describe('Webhook V2 guid', () => {
  it('takes a numeric guid as its digits, and still refuses a missing or odd one', () => {
    expect(received({ guid: 1234567 })).toMatchObject({ guid: '1234567' });
    for (const guid of [undefined, '', 1.5, { id: 1 }]) {
      const parsed = parseSmsWebhookEvent(webhookV2Event('sms.received', { guid, from: '+33611000001', message: 'x' }));
      expect(parsed.ok ? '' : parsed.reason).toContain('data.guid');
    }
  });
});
