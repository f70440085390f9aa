// Ingests one finished Lobstr run into the ads pool: confirm the run, page through its results
// within Lobstr's rate limit, map and upsert them in chunks, checkpointing after each chunk so a
// retry resumes where the last attempt stopped. Memory holds one chunk at most.
import { LIMITS } from '../config/worker.config.js';
import type { Sql } from '../db/client.js';
import { errorCodeOf, PermanentError, TransientError, WorkerError } from '../errors.js';
import type { Logger } from '../logging/logger.js';
import { upsertAds } from '../ads/upsert-ads.js';
import type { AdRow } from '../ads/ad-row.js';
import type { LobstrClient } from './lobstr-client.js';
import { mapLobstrResult } from './map-lobstr-result.js';
import { completeLobstrRun, recordLobstrRunFailure, saveLobstrRunProgress, startLobstrRun, type LobstrRunProgress } from './lobstr-runs.js';
import { loadReferenceLookups } from './reference-lookups.js';

export interface IngestLobstrRunDeps {
  sql: Sql;
  lobstr: LobstrClient;
  logger: Logger;
}

export interface IngestLobstrRunInput {
  lobstrRunId: string;
  /** The job's last attempt: a failure now marks the run failed for good. */
  finalAttempt: boolean;
  signal?: AbortSignal;
}

export type IngestLobstrRunResult =
  | { status: 'already_completed' }
  | ({ status: 'completed'; huntsScanned: number } & LobstrRunProgress);

const UNFINISHED = new Set(['pending', 'running', 'uploading', 'paused']);

export async function ingestLobstrRun(deps: IngestLobstrRunDeps, input: IngestLobstrRunInput): Promise<IngestLobstrRunResult> {
  try {
    return await ingest(deps, input);
  } catch (err) {
    const final = input.finalAttempt || (err instanceof WorkerError && err.kind === 'permanent');
    const message = err instanceof Error ? err.message : String(err);
    await recordLobstrRunFailure(deps.sql, input.lobstrRunId, { code: errorCodeOf(err), message, final }).catch(
      (recordErr: unknown) => deps.logger.warn({ err: recordErr }, 'could not record the lobstr run failure'),
    );
    throw err;
  }
}

async function ingest(deps: IngestLobstrRunDeps, input: IngestLobstrRunInput): Promise<IngestLobstrRunResult> {
  const { sql, lobstr, logger } = deps;
  const runId = input.lobstrRunId;
  const run = await lobstr.getRun(runId, input.signal);
  if (UNFINISHED.has(run.status)) {
    throw new TransientError('LOBSTR_RUN_NOT_DONE', `run ${runId} is ${run.status}; results are not final yet`);
  }
  if (run.status !== 'done') throw new PermanentError('LOBSTR_RUN_NOT_SUCCESSFUL', `run ${runId} ended as ${run.status}`);

  const progress = await startLobstrRun(sql, runId, run.squid);
  if (!progress) return { status: 'already_completed' };
  const refs = await loadReferenceLookups(sql);
  logger.info({ lobstrRunId: runId, resumeAfterPage: progress.pagesDone }, 'ingesting lobstr run');

  // Keyed by annonce_id: a duplicate within a chunk keeps the last one.
  const chunk = new Map<string, AdRow>();
  const flush = async () => {
    await sql.begin(async (tx) => {
      const counts = await upsertAds(tx, [...chunk.values()]);
      progress.saved += counts.inserted;
      progress.updated += counts.updated;
      progress.unchanged += counts.unchanged;
      await saveLobstrRunProgress(tx, runId, progress);
    });
    chunk.clear();
  };

  for (let page = progress.pagesDone + 1, hasNext = true; hasNext; page++) {
    const result = await lobstr.getResultsPage(runId, page, input.signal);
    for (const raw of result.results) {
      const mapped = mapLobstrResult(raw, refs);
      if (!mapped.ok) {
        progress.rejected++;
        progress.rejectedReasons[mapped.reason] = (progress.rejectedReasons[mapped.reason] ?? 0) + 1;
      } else {
        if (chunk.delete(mapped.ad.original_ad_id)) progress.duplicates++;
        chunk.set(mapped.ad.original_ad_id, mapped.ad);
      }
    }
    progress.pagesDone = page;
    hasNext = result.hasNext;
    if (!hasNext || chunk.size + LIMITS.lobstrResultsPageSize > LIMITS.adsUpsertChunk) await flush();
  }

  const { huntsScanned } = await completeLobstrRun(sql, runId);
  logger.info({ lobstrRunId: runId, ...progress, huntsScanned }, 'lobstr run ingested');
  return { status: 'completed', huntsScanned, ...progress };
}
