// An account's SMSMobileAPI Webhook V2 secret, stored encrypted like sms_api_key. With one, the
// account's SMS events are pushed and signed; without, its replies are polled.
import { decryptSecret, encryptSecret } from '../crypto/secret-box.js';
import type { Sql } from '../db/client.js';

/** Stores the secret (null removes it); false when there is no such account. */
export async function storeSmsWebhookSecret(
  sql: Sql,
  accountId: string,
  secret: string | null,
  encryptionKey: string,
): Promise<boolean> {
  const updated = await sql`
    update accounts set sms_webhook_secret = ${secret === null ? null : encryptSecret(secret, encryptionKey)}
    where id = ${accountId}`;
  return updated.count > 0;
}

/** The decrypted secret, or null for an unknown account or one without a secret. */
export async function smsWebhookSecretOf(sql: Sql, accountId: string, encryptionKey: string): Promise<string | null> {
  const [account] = await sql<{ secret: string | null }[]>`
    select sms_webhook_secret as secret from accounts where id = ${accountId}`;
  return account?.secret ? decryptSecret(account.secret, encryptionKey) : null;
}
