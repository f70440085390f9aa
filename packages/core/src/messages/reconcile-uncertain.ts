// Settles `uncertain` SMS from the provider's own record: a send cut off mid-call (timeout, crash,
// shutdown) is looked up in the account's sent log, one read per account. Found there → sent,
// with the provider's id, credit consumed, lead and history written. Not found, or the log
// unreadable → left for an operator: absence from a loosely documented log is no proof, and a
// wrong "not sent" would contact the seller twice. Accounts are read a few at a time, so one
// whose phone never answers does not hold back the others.
import pMap from 'p-map';
import { LIMITS } from '../config/worker.config.js';
import type { Sql } from '../db/client.js';
import { decryptSecret } from '../crypto/secret-box.js';
import { errorCodeOf } from '../errors.js';
import type { Logger } from '../logging/logger.js';
import { findSentSms, type SmsSentLogReader } from '../channels/smsmobileapi-sent-log.js';
import { recordSent, type ClaimedMessage } from './message-ledger.js';

export interface ReconcileDeps {
  sql: Sql;
  sentLog: SmsSentLogReader;
  smsKeyEncryptionKey: string;
  logger: Logger;
}

/** How far around the claim a logged send may be (clock skew; a phone sending late). */
const WINDOW_BEFORE_MS = 60_000;
const WINDOW_AFTER_MS = 15 * 60_000;
/**
 * Unsettled sends looked up per sweep and account, newest first (older ones are the operator's):
 * per account, so one account's pile of sends it cannot settle never crowds out another's.
 */
const BATCH_PER_ACCOUNT = 50;

type Unsettled = ClaimedMessage & { claimedAt: Date; smsApiKey: string | null };

export async function reconcileUncertainSms(deps: ReconcileDeps): Promise<{ settled: number }> {
  const unsettled = await deps.sql<Unsettled[]>`
    select m.id, m.account_id as "accountId", m.ad_id as "adId", m.hunt_id as "huntId",
           m.template_id as "templateId", m.channel, m.content, m.recipient_phone as "recipientPhone",
           m.local_date::text as "localDate", m.daily_run_id as "dailyRunId",
           m.claimed_at as "claimedAt", a.sms_api_key as "smsApiKey"
    from (select *, row_number() over (partition by account_id order by claimed_at desc) as rank
          from messages
          where status = 'uncertain' and channel = 'sms' and claimed_at > now() - interval '3 days') m
    join accounts a on a.id = m.account_id
    where m.rank <= ${BATCH_PER_ACCOUNT}`;
  const byAccount = new Map<string, Unsettled[]>();
  for (const m of unsettled) byAccount.set(m.accountId, [...(byAccount.get(m.accountId) ?? []), m]);
  const settledPerAccount = await pMap(
    byAccount,
    ([accountId, messages]) => settleFromSentLog(deps, accountId, messages),
    {
      concurrency: LIMITS.smsAccountReadConcurrency,
    },
  );
  const settled = settledPerAccount.reduce((sum, n) => sum + n, 0);
  if (settled > 0) deps.logger.info({ settled }, 'uncertain SMS settled from the provider sent log');
  return { settled };
}

/** Settles what one account's sent log shows of its uncertain sends; a log it cannot read settles none. */
async function settleFromSentLog(deps: ReconcileDeps, accountId: string, messages: Unsettled[]): Promise<number> {
  let settled = 0;
  try {
    const log = await deps.sentLog.read(decryptSecret(messages[0]!.smsApiKey ?? '', deps.smsKeyEncryptionKey));
    for (const m of messages) {
      const found = findSentSms(log, {
        recipient: m.recipientPhone,
        from: new Date(m.claimedAt.getTime() - WINDOW_BEFORE_MS),
        to: new Date(m.claimedAt.getTime() + WINDOW_AFTER_MS),
      });
      if (found && (await recordSent(deps.sql, m, found.guid))) settled++;
    }
  } catch (err) {
    deps.logger.warn(
      { accountId, errorCode: errorCodeOf(err) },
      'could not read the SMS sent log; its uncertain messages wait for an operator',
    );
  }
  return settled;
}
