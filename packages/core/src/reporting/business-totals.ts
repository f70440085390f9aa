// The business figures /metrics shows, read from Postgres at scrape time so every replica reports
// the same truth. "Today" is the local day of OUTREACH_TIMEZONE, which starts at local midnight.
import type { Sql } from '../db/client.js';
import { oldestUnfinishedDailyRun } from '../hunts/daily-runs.js';
import { localDateOf } from '../schedule/sending-window.js';

export interface BusinessTotals {
  /** Today's messages by channel and status. */
  contacts: { channel: string; status: string; n: number }[];
  /** Today's messages delivered, read and replied to, by channel. */
  feedback: { channel: string; delivered: number; read: number; replied: number }[];
  creditsConsumed: { channel: string; n: number }[];
  /** Ads of the Lobstr runs received today. */
  lobstrAds: { saved: number; updated: number; rejected: number };
  lastDailyRunSeconds: number;
  /** How long the oldest unfinished daily run has been running (0: none). */
  unfinishedDailyRunSeconds: number;
  uncertainMessages: number;
}

export async function businessTotals(sql: Sql, timeZone: string, now = new Date()): Promise<BusinessTotals> {
  const today = localDateOf(now, timeZone);
  const [contacts, feedback, creditsConsumed, [lobstrAds], [lastRun], unfinished, [uncertain]] = await Promise.all([
    sql<BusinessTotals['contacts']>`
      select channel, status, count(*)::int as n from messages where local_date = ${today} group by channel, status`,
    sql<BusinessTotals['feedback']>`
      select channel,
             count(delivered_at)::int as delivered, count(read_at)::int as read, count(replied_at)::int as replied
      from messages where local_date = ${today} group by channel`,
    sql<BusinessTotals['creditsConsumed']>`
      select channel, count(*)::int as n from credit_transactions
      where type = 'usage' and created_at >= ${today}::timestamp at time zone ${timeZone} group by channel`,
    sql<BusinessTotals['lobstrAds'][]>`
      select coalesce(sum(ads_saved), 0)::int as saved, coalesce(sum(ads_updated), 0)::int as updated,
             coalesce(sum(ads_rejected), 0)::int as rejected
      from lobstr_runs where received_at >= ${today}::timestamp at time zone ${timeZone}`,
    sql<
      { ms: number | null }[]
    >`select duration_ms as ms from daily_runs where status = 'completed' order by local_date desc limit 1`,
    oldestUnfinishedDailyRun(sql),
    sql<{ n: number }[]>`select count(*)::int as n from messages where status = 'uncertain'`,
  ]);
  return {
    contacts: [...contacts],
    feedback: [...feedback],
    creditsConsumed: [...creditsConsumed],
    lobstrAds: lobstrAds!,
    lastDailyRunSeconds: (lastRun?.ms ?? 0) / 1000,
    unfinishedDailyRunSeconds: unfinished?.runningSeconds ?? 0,
    uncertainMessages: uncertain!.n,
  };
}
