// Reads the received SMS of each account without a Webhook V2 secret (those get them pushed)
// since the last poll, and handles each as a reply (recordInboundMessage: STOP suppresses, a reply
// from a contacted person is stored and marks the contact `replied`), once by its guid.
// One account's failure (revoked key, phone offline) never stops the others; a key the provider
// refuses pauses the account's SMS, as a refused send would, before any contact is planned on it.
import type { SmsInbox } from '../channels/smsmobileapi-inbox.js';
import { decryptSecret } from '../crypto/secret-box.js';
import type { Sql } from '../db/client.js';
import { DeliveryRefusedError, errorCodeOf } from '../errors.js';
import type { Logger } from '../logging/logger.js';
import { toE164 } from '../phone/phone-number.js';
import { pauseChannel } from './channel-pauses.js';
import { recordInboundMessage, type InboundOutcome } from './delivery-feedback.js';

export async function pollSmsReplies(deps: {
  sql: Sql;
  inbox: SmsInbox;
  smsKeyEncryptionKey: string;
  logger: Logger;
}): Promise<{ accounts: number } & Partial<Record<InboundOutcome['outcome'], number>>> {
  const accounts = await deps.sql<{ id: string; key: string; after: number }[]>`
    select a.id, a.sms_api_key as key, coalesce(c.last_received_unix, 0)::float8 as after
    from accounts a left join sms_reply_cursors c on c.account_id = a.id
    where a.sms_api_key is not null and a.sms_webhook_secret is null`;
  const outcomes: Partial<Record<InboundOutcome['outcome'], number>> = {};
  for (const account of accounts) {
    try {
      const received = await deps.inbox.receivedSince(
        decryptSecret(account.key, deps.smsKeyEncryptionKey),
        account.after,
      );
      for (const sms of received) {
        const phone = toE164(sms.number);
        if (!phone) continue;
        const { outcome } = await recordInboundMessage(deps.sql, {
          accountId: account.id,
          channel: 'sms',
          phone,
          body: sms.message,
          receivedAt: new Date(sms.receivedUnix * 1000),
          externalId: sms.guid,
        });
        outcomes[outcome] = (outcomes[outcome] ?? 0) + 1;
      }
      // Never past now: a phone whose clock runs ahead (or a garbled time) must not hide what comes next.
      const last = Math.min(
        Math.max(account.after, ...received.map((r) => r.receivedUnix)),
        Math.floor(Date.now() / 1000),
      );
      await deps.sql`
        insert into sms_reply_cursors (account_id, last_received_unix) values (${account.id}, ${last})
        on conflict (account_id) do update set last_received_unix = excluded.last_received_unix, updated_at = now()`;
    } catch (err) {
      if (err instanceof DeliveryRefusedError && err.blame === 'sender')
        await pauseChannel(deps.sql, account.id, 'sms', { code: err.code, message: err.message }).catch(
          (pauseErr: unknown) => deps.logger.warn({ accountId: account.id, err: pauseErr }, 'could not pause SMS'),
        );
      deps.logger.warn(
        { accountId: account.id, errorCode: errorCodeOf(err) },
        'could not read the SMS replies of an account',
      );
    }
  }
  return { accounts: accounts.length, ...outcomes };
}
