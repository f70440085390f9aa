import { describe, expect, it } from 'vitest';
import { signWebhookV2, webhookV2Event } from '@auto-prospect/testkit';
import { hasValidWebhookSignature, isFreshWebhookTimestamp, parseSmsWebhookEvent } from './smsmobileapi-webhook.js';

const SECRET = 'whsec-test-0123456789';

function signed(
  event = webhookV2Event('sms.received', {
    guid: 'g1',
    from: '+33611000001',
    message: 'Oui',
    received_at: '2026-11-28T10:00:00Z',
  }),
) {
  const request = signWebhookV2(SECRET, event);
  return {
    timestamp: request.headers['x-smsmobileapi-timestamp']!,
    signature: request.headers['x-smsmobileapi-signature']!,
    rawBody: Buffer.from(request.body),
  };
}

describe('Webhook V2 signature', () => {
  it('accepts the provider scheme and refuses any other secret, body or timestamp', () => {
    const request = signed();
    expect(hasValidWebhookSignature({ secret: SECRET, ...request })).toBe(true);
    expect(hasValidWebhookSignature({ secret: `${SECRET}x`, ...request })).toBe(false);
    expect(
      hasValidWebhookSignature({
        secret: SECRET,
        ...request,
        rawBody: Buffer.from(request.rawBody.toString().replace('Oui', 'Non')),
      }),
    ).toBe(false);
    expect(
      hasValidWebhookSignature({ secret: SECRET, ...request, timestamp: String(Number(request.timestamp) - 1) }),
    ).toBe(false);
    for (const signature of [
      undefined,
      '',
      request.signature.slice(3),
      'v2=' + request.signature.slice(3),
      `${request.signature}00`,
    ]) {
      expect(hasValidWebhookSignature({ secret: SECRET, ...request, signature })).toBe(false);
    }
  });

  it('takes timestamps within 300 s either way only', () => {
    const now = new Date('2026-11-28T12:00:00Z');
    const unix = now.getTime() / 1000;
    expect(isFreshWebhookTimestamp(String(unix - 300), now)).toBe(true);
    expect(isFreshWebhookTimestamp(String(unix + 300), now)).toBe(true);
    expect(isFreshWebhookTimestamp(String(unix - 301), now)).toBe(false);
    expect(isFreshWebhookTimestamp(String(unix + 301), now)).toBe(false);
    for (const header of [undefined, '', 'abc', `${unix}.5`, String(unix * 1000)])
      expect(isFreshWebhookTimestamp(header, now)).toBe(false);
  });
});

describe('Webhook V2 events', () => {
  it('reads a received SMS as documented', () => {
    const event = webhookV2Event('sms.received', {
      guid: 'g1',
      from: '0611000001',
      message: 'STOP',
      received_at: '2026-11-28T10:00:00Z',
      alias: null,
      device_id: 'd',
    });
    expect(parseSmsWebhookEvent(event)).toEqual({
      ok: true,
      event: {
        id: event.id,
        type: 'sms.received',
        kind: 'received',
        guid: 'g1',
        from: '0611000001',
        message: 'STOP',
        receivedAt: new Date('2026-11-28T10:00:00Z'),
      },
    });
  });

  it('finds the send GUID and the reason of undocumented sent/failed data under likely names', () => {
    const failed = parseSmsWebhookEvent(
      webhookV2Event('sms.failed', { message_guid: 'abc', error: 'Generic failure' }),
    );
    expect(failed).toMatchObject({ ok: true, event: { kind: 'failed', guid: 'abc', reason: 'Generic failure' } });
    const nested = parseSmsWebhookEvent(webhookV2Event('sms.sent', { sms: { guid: 'def' } }));
    expect(nested).toMatchObject({ ok: true, event: { kind: 'sent', guid: 'def' } });
    expect(parseSmsWebhookEvent(webhookV2Event('sms.failed', {}))).toMatchObject({
      ok: true,
      event: { kind: 'failed', guid: null, reason: 'failed on the phone' },
    });
    expect(parseSmsWebhookEvent(webhookV2Event('call.missed', { from: '+33611000001' }))).toMatchObject({
      ok: true,
      event: { kind: 'other', type: 'call.missed' },
    });
  });

  it('refuses a body that is no event, with the reason', () => {
    const event = webhookV2Event('sms.received', { guid: 'g1', from: '+33611000001', message: 'Oui' });
    const cases: [unknown, string][] = [
      [{ ...event, id: 'not-a-uuid' }, 'id'],
      [{ ...event, data: 'x' }, 'data'],
      [{ ...event, data: { guid: 'g1', message: 'Oui' } }, 'data.from'],
      [{ ...event, data: { guid: 'g1', from: '+33611000001', message: 'a\u0000b' } }, 'data.message'],
      [[], 'body'],
    ];
    for (const [body, reason] of cases) {
      const parsed = parseSmsWebhookEvent(body);
      expect(parsed.ok).toBe(false);
      expect(parsed.ok ? '' : parsed.reason).toContain(reason);
    }
  });
});
