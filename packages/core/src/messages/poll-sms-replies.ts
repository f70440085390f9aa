// Reads the received SMS of each account without a Webhook V2 secret (those get them pushed)
// since the last poll, and handles each as a reply (recordInboundMessage: STOP suppresses, a reply
// from a contacted person is stored and marks the contact `replied`), once by its guid.
// One account's failure (revoked key, phone offline) never stops the others, and accounts are read
// a few at a time: a phone that never answers holds one of LIMITS.smsAccountReadConcurrency for
// PROVIDER_TIMEOUT_MS, not everyone's poll. A key the provider refuses pauses the account's SMS,
// as a refused send would, before any contact is planned on it.
import pMap from 'p-map';
import type { SmsInbox } from '../channels/smsmobileapi-inbox.js';
import { LIMITS } from '../config/worker.config.js';
import { decryptSecret } from '../crypto/secret-box.js';
import type { Sql } from '../db/client.js';
import { DeliveryRefusedError, errorCodeOf } from '../errors.js';
import type { Logger } from '../logging/logger.js';
import { toE164 } from '../phone/phone-number.js';
import { pauseChannel } from './channel-pauses.js';
import { recordInboundMessage, type InboundOutcome } from './delivery-feedback.js';

interface PollDeps {
  sql: Sql;
  inbox: SmsInbox;
  smsKeyEncryptionKey: string;
  logger: Logger;
}

type Outcomes = Partial<Record<InboundOutcome['outcome'], number>>;

interface PolledAccount {
  id: string;
  key: string;
  /** The newest reply already read, unix seconds. */
  after: number;
}

export async function pollSmsReplies(deps: PollDeps): Promise<{ accounts: number } & Outcomes> {
  const accounts = await deps.sql<PolledAccount[]>`
    select a.id, a.sms_api_key as key, coalesce(c.last_received_unix, 0)::float8 as after
    from accounts a left join sms_reply_cursors c on c.account_id = a.id
    where a.sms_api_key is not null and a.sms_webhook_secret is null`;
  const outcomes: Outcomes = {};
  await pMap(accounts, (account) => pollAccount(deps, account, outcomes), {
    concurrency: LIMITS.smsAccountReadConcurrency,
  });
  return { accounts: accounts.length, ...outcomes };
}

/** Reads and handles one account's new replies, counting them in `outcomes`; never throws. */
async function pollAccount(deps: PollDeps, account: PolledAccount, outcomes: Outcomes): Promise<void> {
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
