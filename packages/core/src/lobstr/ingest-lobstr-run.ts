// Ingests one finished Lobstr run into the ads pool: confirm the run, page through its results
// within Lobstr's rate limit, map and upsert them in chunks, checkpointing after each chunk so a
// retry resumes where the last attempt stopped. Memory holds two chunks at most: one being read,
// one being written.
import { LIMITS } from '../config/worker.config.js';
import type { Sql } from '../db/client.js';
import { errorCodeOf, PermanentError, TransientError, WorkerError } from '../errors.js';
import type { Logger } from '../logging/logger.js';
import { upsertAds } from '../ads/upsert-ads.js';
import type { AdRow } from '../ads/ad-row.js';
import type { LobstrClient, LobstrRun } from './lobstr-client.js';
import { mapLobstrResult } from './map-lobstr-result.js';
import {
  completeLobstrRun,
  recordLobstrRunFailure,
  saveLobstrRunProgress,
  startLobstrRun,
  type LobstrRunProgress,
} from './lobstr-runs.js';
import { loadReferenceLookups, type ReferenceLookups } from './reference-lookups.js';

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
  { status: 'already_completed' } | ({ status: 'completed'; huntsScanned: number } & LobstrRunProgress);

const UNFINISHED = new Set(['pending', 'running', 'uploading', 'paused']);

export async function ingestLobstrRun(
  deps: IngestLobstrRunDeps,
  input: IngestLobstrRunInput,
): Promise<IngestLobstrRunResult> {
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
  const run = await finishedRun(lobstr, runId, input.signal);
  const progress = await startLobstrRun(sql, runId, run.squid);
  if (!progress) return { status: 'already_completed' };
  const refs = await loadReferenceLookups(sql);
  logger.info({ lobstrRunId: runId, resumeAfterPage: progress.pagesDone }, 'ingesting lobstr run');

  const written = await ingestPages(deps, input, progress, refs);

  const { huntsScanned } = await completeLobstrRun(sql, runId);
  logger.info({ lobstrRunId: runId, ...progress, ...written, huntsScanned }, 'lobstr run ingested');
  return { status: 'completed', huntsScanned, ...progress, ...written };
}

/** The run, once it is done: still running is worth a retry, any other end is final. */
async function finishedRun(lobstr: LobstrClient, runId: string, signal: AbortSignal | undefined): Promise<LobstrRun> {
  const run = await lobstr.getRun(runId, signal);
  if (UNFINISHED.has(run.status)) {
    throw new TransientError('LOBSTR_RUN_NOT_DONE', `run ${runId} is ${run.status}; results are not final yet`);
  }
  if (run.status !== 'done')
    throw new PermanentError('LOBSTR_RUN_NOT_SUCCESSFUL', `run ${runId} ended as ${run.status}`);
  return run;
}

type WrittenCounts = Pick<LobstrRunProgress, 'saved' | 'updated' | 'unchanged'>;

/**
 * Pages are read and mapped into the next chunk while the previous chunk is written: one chunk
 * in each stage at most. `progress` counts what was read (it is updated in place); returns what
 * was written, counting from the checkpoint resumed.
 */
async function ingestPages(
  { sql, lobstr }: IngestLobstrRunDeps,
  input: IngestLobstrRunInput,
  progress: LobstrRunProgress,
  refs: ReferenceLookups,
): Promise<WrittenCounts> {
  const writer = checkpointedWriter(sql, input.lobstrRunId, progress);
  // Keyed by annonce_id: a duplicate within a chunk keeps the last one.
  let chunk = new Map<string, AdRow>();
  let writing: Promise<void> = Promise.resolve();
  try {
    for (let page = progress.pagesDone + 1, hasNext = true; hasNext; page++) {
      const result = await lobstr.getResultsPage(input.lobstrRunId, page, input.signal);
      mapInto(chunk, result.results, refs, progress);
      progress.pagesDone = page;
      hasNext = result.hasNext;
      if (!hasNext || chunk.size + LIMITS.lobstrResultsPageSize > LIMITS.adsUpsertChunk) {
        const rows = [...chunk.values()];
        chunk = new Map();
        const read = { ...progress, rejectedReasons: { ...progress.rejectedReasons } };
        await writing;
        writing = writer.write(rows, read);
        // Its failure is thrown where it is awaited; until then it must not count as unhandled.
        writing.catch(() => {});
      }
    }
    await writing;
  } catch (err) {
    // The failure is recorded (and a retry may start) only once the write in flight has settled.
    await writing.catch(() => {});
    throw err;
  }
  return writer.written;
}

/** Maps a page's results into the chunk, counting the rejected ones and the duplicates in `progress`. */
function mapInto(
  chunk: Map<string, AdRow>,
  results: readonly Record<string, unknown>[],
  refs: ReferenceLookups,
  progress: LobstrRunProgress,
): void {
  for (const raw of results) {
    const mapped = mapLobstrResult(raw, refs);
    if (!mapped.ok) {
      progress.rejected++;
      progress.rejectedReasons[mapped.reason] = (progress.rejectedReasons[mapped.reason] ?? 0) + 1;
    } else {
      if (chunk.delete(mapped.ad.original_ad_id)) progress.duplicates++;
      chunk.set(mapped.ad.original_ad_id, mapped.ad);
    }
  }
}

/**
 * Upserts a chunk and saves its checkpoint in one transaction: what was read up to its last page
 * plus what was written up to and with it, so a retry resumes right after the last chunk
 * written, whatever was read beyond it.
 */
function checkpointedWriter(sql: Sql, runId: string, resumed: WrittenCounts) {
  const written: WrittenCounts = { saved: resumed.saved, updated: resumed.updated, unchanged: resumed.unchanged };
  const write = async (rows: AdRow[], read: LobstrRunProgress) => {
    const counts = await sql.begin(async (tx) => {
      const counts = await upsertAds(tx, rows);
      await saveLobstrRunProgress(tx, runId, {
        ...read,
        saved: written.saved + counts.inserted,
        updated: written.updated + counts.updated,
        unchanged: written.unchanged + counts.unchanged,
      });
      return counts;
    });
    written.saved += counts.inserted;
    written.updated += counts.updated;
    written.unchanged += counts.unchanged;
  };
  return { written, write };
}
