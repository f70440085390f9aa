// AES-256-GCM as the web app stores secrets: base64(IV 16 bytes ‖ auth tag 16 bytes ‖ ciphertext),
// with a 32-byte key given as 64 hex characters.
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';

const IV_BYTES = 16;
const TAG_BYTES = 16;

export class DecryptionError extends Error {
  override readonly name = 'DecryptionError';
  readonly code = 'SECRET_UNDECRYPTABLE';
}

function keyBytes(hexKey: string): Buffer {
  const key = Buffer.from(hexKey, 'hex');
  if (key.length !== 32) throw new Error('encryption key must be 64 hex characters');
  return key;
}

export function encryptSecret(plain: string, hexKey: string): string {
  const iv = randomBytes(IV_BYTES);
  const cipher = createCipheriv('aes-256-gcm', keyBytes(hexKey), iv);
  const ciphertext = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final()]);
  return Buffer.concat([iv, cipher.getAuthTag(), ciphertext]).toString('base64');
}

/** Throws DecryptionError (never the secret or the key) when the value is not ours or corrupt. */
export function decryptSecret(stored: string, hexKey: string): string {
  const data = Buffer.from(stored, 'base64');
  if (data.length <= IV_BYTES + TAG_BYTES) throw new DecryptionError('stored secret is too short');
  try {
    const decipher = createDecipheriv('aes-256-gcm', keyBytes(hexKey), data.subarray(0, IV_BYTES));
    decipher.setAuthTag(data.subarray(IV_BYTES, IV_BYTES + TAG_BYTES));
    return Buffer.concat([decipher.update(data.subarray(IV_BYTES + TAG_BYTES)), decipher.final()]).toString('utf8');
  } catch {
    throw new DecryptionError('stored secret cannot be decrypted with this key');
  }
}
