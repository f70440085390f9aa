import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createLogger, maskPhones } from './logger.js';

function capture() {
  let out = '';
  const sink = new Writable({
    write: (chunk: Buffer, _enc, done) => {
      out += chunk.toString();
      done();
    },
  });
  return { logger: createLogger('info', sink), text: () => out };
}

describe('logger', () => {
  it('keeps only the last four digits of phone numbers, in fields, errors and messages', () => {
    const { logger, text } = capture();
    logger.info(
      { recipient: '+33612345678', nested: { phone: '06 12 34 56 78' }, err: new Error('invalid number 0612345678') },
      'sent to +33612345678',
    );
    expect(text()).not.toMatch(/612345678|12 34 56 78/);
    expect(text()).toContain('******5678');
  });

  it('redacts secrets by key wherever they are', () => {
    const { logger, text } = capture();
    logger.info(
      { apiKey: 'k-secret', account: { sms_api_key: 's-secret' }, headers: { authorization: 'Bearer t-secret' } },
      'x',
    );
    expect(text()).not.toMatch(/k-secret|s-secret|t-secret/);
  });

  it('redacts configuration secrets, nested at any depth', () => {
    const { logger, text } = capture();
    logger.info(
      {
        env: {
          API_SECRET: 'a-secret',
          SMS_API_KEY_ENCRYPTION_KEY: 'b-secret',
          deep: { DATABASE_URL: 'postgres://u:c-secret@db/x', more: { WHATSAPP_ENCRYPTION_KEY: 'd-secret' } },
        },
      },
      'x',
    );
    expect(text()).not.toMatch(/a-secret|b-secret|c-secret|d-secret/);
  });

  it('masks WhatsApp addresses but not the ids around them', () => {
    const { logger, text } = capture();
    const id = 'd1000000-0000-4000-8000-000000000000';
    logger.warn(
      { jid: '33612345678@s.whatsapp.net', messageId: id },
      `no session for 33612345678@s.whatsapp.net (message ${id})`,
    );
    expect(text()).not.toContain('612345678');
    expect(text()).toContain('******5678@s.whatsapp.net');
    expect(text().split(id)).toHaveLength(3);
  });

  it('leaves ids, dates and amounts alone', () => {
    const ids = {
      messageId: '2f1c7c3e-3b7e-4a8e-9d6f-0a1b2c3d4e5f',
      accountId: 'd1000000-0000-4000-8000-000000000000',
      at: '2026-11-30T10:00:00Z',
      amount: 12500,
    };
    expect(maskPhones(ids)).toEqual(ids);
  });
});
