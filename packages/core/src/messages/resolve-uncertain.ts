// An `uncertain` message (the provider may have it: a send cut off mid-call) is never resent
// automatically; an operator who checked (the phone's sent log, the dealer) settles it. Sent: the
// credit is consumed and the lead and history written, as for any sent message. Not sent: the
// reservation is released and, on the day it was planned for, the contact goes on to its next
// channel.
import type { Sql } from '../db/client.js';
import { failMessage, type HandedOver, type NextChannel } from './fail-message.js';
import { recordSent, type ClaimedMessage } from './message-ledger.js';

export type UncertainOutcome = 'sent' | 'not_sent';

export type ResolveResult =
  | { resolved: true; status: 'sent' | 'failed'; handedOver: HandedOver | null }
  | { resolved: false; reason: 'MESSAGE_NOT_FOUND' | 'NOT_UNCERTAIN' };

export interface UncertainMessage {
  id: string;
  accountId: string;
  adId: string;
  channel: ClaimedMessage['channel'];
  errorCode: string | null;
  updatedAt: Date;
}

export async function listUncertainMessages(sql: Sql, limit: number): Promise<UncertainMessage[]> {
  return sql<UncertainMessage[]>`
    select id, account_id as "accountId", ad_id as "adId", channel, error_code as "errorCode", updated_at as "updatedAt"
    from messages where status = 'uncertain' order by updated_at limit ${limit}`;
}

export async function resolveUncertainMessage(
  deps: { sql: Sql; nextChannel: NextChannel; today: string },
  messageId: string,
  outcome: UncertainOutcome,
): Promise<ResolveResult> {
  const [m] = await deps.sql<(ClaimedMessage & { status: string })[]>`
    select id, account_id as "accountId", ad_id as "adId", hunt_id as "huntId", template_id as "templateId",
           channel, content, recipient_phone as "recipientPhone", local_date::text as "localDate",
           daily_run_id as "dailyRunId", status
    from messages where id = ${messageId}`;
  if (!m) return { resolved: false, reason: 'MESSAGE_NOT_FOUND' };
  if (m.status !== 'uncertain') return { resolved: false, reason: 'NOT_UNCERTAIN' };
  if (outcome === 'sent') {
    return (await recordSent(deps.sql, m, null))
      ? { resolved: true, status: 'sent', handedOver: null }
      : { resolved: false, reason: 'NOT_UNCERTAIN' };
  }
  const handedOver = await failMessage(
    deps.sql,
    m,
    { code: 'OPERATOR_NOT_SENT', message: 'an operator found it was not sent', blame: 'message' },
    {
      ...(m.localDate === deps.today ? { nextChannel: deps.nextChannel } : {}),
    },
  );
  return { resolved: true, status: 'failed', handedOver };
}
