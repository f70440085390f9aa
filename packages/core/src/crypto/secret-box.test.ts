import { createCipheriv, randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { DecryptionError, decryptSecret, encryptSecret } from './secret-box.js';

const key = '0123456789abcdef'.repeat(4);

describe('secret box', () => {
  it('round-trips and never produces the same ciphertext twice', () => {
    const a = encryptSecret('sms-api-key-1234', key);
    expect(a).not.toBe(encryptSecret('sms-api-key-1234', key));
    expect(decryptSecret(a, key)).toBe('sms-api-key-1234');
  });

  it('reads the stored layout base64(iv ‖ tag ‖ ciphertext) written by another implementation', () => {
    const iv = randomBytes(16);
    const cipher = createCipheriv('aes-256-gcm', Buffer.from(key, 'hex'), iv);
    const ciphertext = Buffer.concat([cipher.update('from-the-web-app'), cipher.final()]);
    const stored = Buffer.concat([iv, cipher.getAuthTag(), ciphertext]).toString('base64');
    expect(decryptSecret(stored, key)).toBe('from-the-web-app');
  });

  it('fails with a named error, without the secret, on a wrong key or tampered value', () => {
    const stored = encryptSecret('top-secret', key);
    expect(() => decryptSecret(stored, 'f'.repeat(64))).toThrow(DecryptionError);
    const tampered = Buffer.from(stored, 'base64');
    tampered[tampered.length - 1]! ^= 1;
    expect(() => decryptSecret(tampered.toString('base64'), key)).toThrow(DecryptionError);
    expect(() => decryptSecret('c2hvcnQ=', key)).toThrow(/too short/);
  });
});
