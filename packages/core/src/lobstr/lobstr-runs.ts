// The lobstr_runs ledger: one row per Lobstr run id, the guard that makes ingestion exactly-once.
import type { Queryable, Sql } from '../db/client.js';

export interface LobstrRunCounts {
  saved: number;
  updated: number;
  unchanged: number;
  duplicates: number;
  rejected: number;
  rejectedReasons: Record<string, number>;
}

export interface LobstrRunProgress extends LobstrRunCounts {
  pagesDone: number;
}

export type WebhookAdmission = 'enqueue' | 'already_started';

export interface AnnouncedRun {
  runId: string;
  squidId: string | null;
}

/**
 * Records runs announced by webhooks, in one statement for all of them, and says of each run id
 * whether to enqueue it: a run not yet picked up by a job may be enqueued again (the previous
 * enqueue may have failed); one that started or finished must not be.
 */
export async function admitLobstrRuns(sql: Sql, runs: readonly AnnouncedRun[]): Promise<Map<string, WebhookAdmission>> {
  // One row per run id (a conflict cannot touch a row twice in one statement): the first squid known.
  const squids = new Map<string, string | null>();
  for (const { runId, squidId } of runs) squids.set(runId, squids.get(runId) ?? squidId);
  const rows = await sql<{ id: string; status: string }[]>`
    insert into lobstr_runs (id, squid_id)
    select * from unnest(${[...squids.keys()]}::text[], ${[...squids.values()]}::text[])
    on conflict (id) do update set squid_id = coalesce(lobstr_runs.squid_id, excluded.squid_id)
    returning id, status`;
  return new Map(rows.map((r) => [r.id, r.status === 'received' ? 'enqueue' : 'already_started']));
}

/** Marks the run as being ingested and returns where to resume, or null if already completed. */
export async function startLobstrRun(
  sql: Sql,
  runId: string,
  squidId: string | null,
): Promise<LobstrRunProgress | null> {
  const [row] = await sql<
    {
      pages_done: number;
      ads_saved: number;
      ads_updated: number;
      ads_unchanged: number;
      ads_duplicates: number;
      ads_rejected: number;
      rejected_reasons: Record<string, number>;
    }[]
  >`
    insert into lobstr_runs (id, squid_id, status, started_at, attempts)
    values (${runId}, ${squidId}, 'ingesting', now(), 1)
    on conflict (id) do update set
      status = 'ingesting', started_at = coalesce(lobstr_runs.started_at, now()),
      squid_id = coalesce(lobstr_runs.squid_id, excluded.squid_id), attempts = lobstr_runs.attempts + 1,
      error_code = null, error_message = null
    where lobstr_runs.status <> 'completed'
    returning pages_done, ads_saved, ads_updated, ads_unchanged, ads_duplicates, ads_rejected, rejected_reasons`;
  if (!row) return null;
  return {
    pagesDone: row.pages_done,
    saved: row.ads_saved,
    updated: row.ads_updated,
    unchanged: row.ads_unchanged,
    duplicates: row.ads_duplicates,
    rejected: row.ads_rejected,
    rejectedReasons: row.rejected_reasons,
  };
}

/** Checkpoint, written in the same transaction as the chunk's ads. */
export async function saveLobstrRunProgress(sql: Queryable, runId: string, progress: LobstrRunProgress): Promise<void> {
  await sql`
    update lobstr_runs set pages_done = ${progress.pagesDone}, ads_saved = ${progress.saved},
      ads_updated = ${progress.updated}, ads_unchanged = ${progress.unchanged},
      ads_duplicates = ${progress.duplicates}, ads_rejected = ${progress.rejected},
      rejected_reasons = ${sql.json(progress.rejectedReasons)}
    where id = ${runId}`;
}

/** Completes the run and stamps the hunts its squid feeds. */
export async function completeLobstrRun(sql: Sql, runId: string): Promise<{ huntsScanned: number }> {
  return sql.begin(async (tx) => {
    const [run] = await tx<{ squid_id: string | null }[]>`
      update lobstr_runs set status = 'completed', finished_at = now() where id = ${runId} returning squid_id`;
    if (!run?.squid_id) return { huntsScanned: 0 };
    const hunts = await tx`update hunts set last_scan_at = now() where lobstr_squid_id = ${run.squid_id}`;
    return { huntsScanned: hunts.count };
  });
}

/** Records why an attempt failed; `final` marks the run failed for good. */
export async function recordLobstrRunFailure(
  sql: Sql,
  runId: string,
  failure: { code: string; message: string; final: boolean },
): Promise<void> {
  await sql`
    update lobstr_runs set error_code = ${failure.code}, error_message = ${failure.message},
      status = case when ${failure.final} then 'failed'::lobstr_run_status else status end,
      finished_at = case when ${failure.final} then now() else finished_at end
    where id = ${runId} and status <> 'completed'`;
}
