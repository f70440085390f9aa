// The daily run ledger: one run per local date, one row per hunt of the run, totals kept right
// whatever order hunts finish in.
import type { Sql } from '../db/client.js';

export interface EnsuredDailyRun {
  id: string;
  completed: boolean;
  /** The database's clock now: what was registered with the run before this moment. */
  at: Date;
}

/** The run of a local date (created the first time), and whether it is complete. */
export async function ensureDailyRun(sql: Sql, localDate: string): Promise<EnsuredDailyRun> {
  const [row] = await sql<EnsuredDailyRun[]>`
    insert into daily_runs (local_date) values (${localDate})
    on conflict (local_date) do update set local_date = excluded.local_date
    returning id, status = 'completed' as completed, now() as at`;
  return row!;
}

export interface HuntsPage {
  /** The page's last hunt id (the keyset cursor), null when there is no page left. */
  last: string | null;
  /** Hunts registered with the run by this call (a hunt registered before is not again). */
  added: string[];
}

/** Registers one keyset page of active hunts with the run; hunts_total grows in the same statement. */
export async function addActiveHuntsPage(
  sql: Sql,
  dailyRunId: string,
  afterHuntId: string | null,
  pageSize: number,
): Promise<HuntsPage> {
  const rows = await sql<{ id: string; added: boolean }[]>`
    with page as (
      select id from hunts where status = 'active' and (${afterHuntId}::uuid is null or id > ${afterHuntId}::uuid)
      order by id limit ${pageSize}
    ), added as (
      insert into daily_run_hunts (daily_run_id, hunt_id) select ${dailyRunId}, id from page
      on conflict do nothing
      returning hunt_id
    ), counted as (
      update daily_runs set hunts_total = hunts_total + (select count(*) from added) where id = ${dailyRunId}
    )
    select p.id, a.hunt_id is not null as added from page p left join added a on a.hunt_id = p.id order by p.id`;
  return { last: rows.at(-1)?.id ?? null, added: rows.filter((r) => r.added).map((r) => r.id) };
}

/**
 * One keyset page of the hunts an earlier fan-out registered (before `registeredBefore`) that are
 * neither done nor failed yet, whatever their status now: a fan-out that runs again gives them
 * their job back.
 */
export async function unfinishedHuntsPage(
  sql: Sql,
  dailyRunId: string,
  registeredBefore: Date,
  afterHuntId: string | null,
  pageSize: number,
): Promise<string[]> {
  const rows = await sql<{ huntId: string }[]>`
    select hunt_id as "huntId" from daily_run_hunts
    where daily_run_id = ${dailyRunId} and status = 'running' and updated_at < ${registeredBefore}
      and (${afterHuntId}::uuid is null or hunt_id > ${afterHuntId}::uuid)
    order by hunt_id limit ${pageSize}`;
  return rows.map((r) => r.huntId);
}

/** Every hunt is registered: the run completes as soon as they are all accounted for (at once if none). */
export async function sealDailyRunHunts(sql: Sql, dailyRunId: string): Promise<number> {
  return sql.begin(async (tx) => {
    const [row] = await tx<{ total: number }[]>`
      update daily_runs set fanned_out_at = coalesce(fanned_out_at, now())
      where id = ${dailyRunId} returning hunts_total as total`;
    await tx`select settle_daily_run(${dailyRunId}, 0, 0)`;
    return row!.total;
  });
}

export interface HuntOutcome {
  status: 'completed' | 'failed';
  contactsPlanned: number;
  skipped: Record<string, number>;
  errorCode?: string | null;
  errorMessage?: string | null;
}

export async function recordRunHunt(sql: Sql, dailyRunId: string, huntId: string, outcome: HuntOutcome): Promise<void> {
  // The run's totals follow by a trigger (migration daily_run_counters).
  await sql`
    insert into daily_run_hunts
      (daily_run_id, hunt_id, status, contacts_planned, skipped, error_code, error_message, updated_at)
    values (${dailyRunId}, ${huntId}, ${outcome.status}, ${outcome.contactsPlanned}, ${sql.json(outcome.skipped)},
            ${outcome.errorCode ?? null}, ${outcome.errorMessage ?? null}, now())
    -- A re-run (retry, duplicate job) only plans what earlier runs had not: planned counts add up.
    on conflict (daily_run_id, hunt_id) do update set status = excluded.status,
      contacts_planned = daily_run_hunts.contacts_planned + excluded.contacts_planned,
      skipped = excluded.skipped, error_code = excluded.error_code, error_message = excluded.error_message,
      updated_at = now()`;
}

/**
 * A hunt job that ended for good without recording its outcome (stalled out while its process
 * kept dying, or lost): the run accounts for it as failed, so the day still finishes. A hunt
 * already accounted for is left as it is.
 */
export async function recordLostHunt(sql: Sql, dailyRunId: string, huntId: string, reason: string): Promise<void> {
  await sql`
    update daily_run_hunts set status = 'failed', error_code = 'HUNT_JOB_LOST', error_message = ${reason},
      updated_at = now()
    where daily_run_id = ${dailyRunId} and hunt_id = ${huntId} and status = 'running'`;
}

interface ContactCounts {
  planned: number;
  sent: number;
  failed: number;
  pending: number;
  uncertain: number;
  dryRun: number;
  delivered: number;
  read: number;
  replied: number;
}

export interface DailyRunReport {
  id: string;
  localDate: string;
  status: string;
  startedAt: Date;
  finishedAt: Date | null;
  hunts: { total: number; done: number; failed: number };
  /** `sent` counts every message the provider accepted; delivered, read and replied what came back after. */
  contacts: Record<string, ContactCounts>;
  skipped: Record<string, number>;
}

export async function dailyRunReport(sql: Sql, dailyRunId: string): Promise<DailyRunReport | null> {
  const [run] = await sql<
    {
      id: string;
      local_date: string;
      status: string;
      started_at: Date;
      finished_at: Date | null;
      hunts_total: number;
      hunts_done: number;
      hunts_failed: number;
    }[]
  >`
    select id, local_date::text, status, started_at, finished_at, hunts_total, hunts_done, hunts_failed
    from daily_runs where id = ${dailyRunId}`;
  if (!run) return null;
  const skippedRows = await sql<{ reason: string; n: number }[]>`
    select key as reason, sum(value::int)::int as n from daily_run_hunts, jsonb_each_text(skipped)
    where daily_run_id = ${dailyRunId} group by key`;
  return {
    id: run.id,
    localDate: run.local_date,
    status: run.status,
    startedAt: run.started_at,
    finishedAt: run.finished_at,
    hunts: { total: run.hunts_total, done: run.hunts_done, failed: run.hunts_failed },
    contacts: await runContactCounts(sql, dailyRunId),
    skipped: Object.fromEntries(skippedRows.map((r) => [r.reason, r.n])),
  };
}

/** The run's messages counted per channel (every channel present, at zero when unused). */
async function runContactCounts(sql: Sql, dailyRunId: string): Promise<DailyRunReport['contacts']> {
  const byChannel = await sql<
    { channel: string; status: string; n: number; delivered: number; read: number; replied: number }[]
  >`
    select channel, status, count(*)::int as n,
           count(delivered_at)::int as delivered, count(read_at)::int as read, count(replied_at)::int as replied
    from messages where daily_run_id = ${dailyRunId} group by channel, status`;
  const contacts: DailyRunReport['contacts'] = {};
  for (const channel of ['ringless_voice', 'whatsapp_text', 'sms'])
    contacts[channel] = {
      planned: 0,
      sent: 0,
      failed: 0,
      pending: 0,
      uncertain: 0,
      dryRun: 0,
      delivered: 0,
      read: 0,
      replied: 0,
    };
  for (const { channel, status, n, delivered, read, replied } of byChannel) {
    const c = contacts[channel]!;
    c.planned += n;
    c.delivered += delivered;
    c.read += read;
    c.replied += replied;
    if (status === 'sent' || status === 'delivered' || status === 'read' || status === 'replied') c.sent += n;
    else if (status === 'failed') c.failed += n;
    else if (status === 'uncertain') c.uncertain += n;
    else if (status === 'dry_run') c.dryRun += n;
    else c.pending += n;
  }
  return contacts;
}

export interface UnfinishedDailyRun {
  localDate: string;
  /** Since the run started. */
  runningSeconds: number;
}

/** The oldest daily run not yet complete, if any: a run still open long after it began is late. */
export async function oldestUnfinishedDailyRun(sql: Sql): Promise<UnfinishedDailyRun | null> {
  const [row] = await sql<UnfinishedDailyRun[]>`
    select local_date::text as "localDate", extract(epoch from now() - started_at)::int as "runningSeconds"
    from daily_runs where status <> 'completed' order by started_at limit 1`;
  return row ?? null;
}

export interface OpenDailyRun {
  id: string;
  localDate: string;
  /** Hunts registered with it so far (0: its fan-out has not run). */
  huntsRegistered: number;
}

/** The runs of the last `days` days that are not complete. */
export async function openDailyRuns(sql: Sql, days: number): Promise<OpenDailyRun[]> {
  return sql<OpenDailyRun[]>`
    select r.id, r.local_date::text as "localDate",
           (select count(*)::int from daily_run_hunts h where h.daily_run_id = r.id) as "huntsRegistered"
    from daily_runs r where r.status <> 'completed' and r.local_date >= current_date - ${days}::int
    order by r.local_date`;
}
