// A Lobstr.io API on 127.0.0.1 that follows providers.md §3: "Token" auth, runs, paginated
// results (limit or page_size, capped at 100, with next/previous), 2 requests/second on
// /results answered by 429 + Retry-After, and the documented error shapes. Faults are scripted.
import type { ServerResponse } from 'node:http';
import { sendJson, startFakeServer, type FakeServer, type RecordedRequest } from '../fake-server.js';

export interface FakeLobstrRun {
  id: string;
  squid: string;
  status: 'pending' | 'running' | 'uploading' | 'done' | 'error' | 'aborted';
  results: Record<string, unknown>[];
}

export interface FakeLobstrFault {
  /** Results page the fault applies to. */
  page: number;
  status: number;
  /** How many times it happens before the page answers normally. */
  times: number;
}

export interface FakeLobstr extends FakeServer {
  /** Base URL to give the client, ending in /v1. */
  baseUrl: string;
  runs: Map<string, FakeLobstrRun>;
  faults: FakeLobstrFault[];
  /** Number of /v1/results requests answered with data. */
  resultPagesServed(): number;
}

interface LobstrState {
  apiKey: string;
  runs: Map<string, FakeLobstrRun>;
  faults: FakeLobstrFault[];
  resultsPerSecond: number;
  /** Arrival times of the /results requests admitted within the last second. */
  recentResultRequests: number[];
  pagesServed: number;
  throttledCount: number;
}

export async function startFakeLobstr(options: { apiKey: string; resultsPerSecond?: number }): Promise<FakeLobstr> {
  const state: LobstrState = {
    apiKey: options.apiKey,
    runs: new Map(),
    faults: [],
    resultsPerSecond: options.resultsPerSecond ?? 2,
    recentResultRequests: [],
    pagesServed: 0,
    throttledCount: 0,
  };
  const server = await startFakeServer((req, res) => routeLobstr(state, server.url, req, res));
  return {
    ...server,
    baseUrl: `${server.url}/v1`,
    runs: state.runs,
    faults: state.faults,
    resultPagesServed: () => state.pagesServed,
  };
}

function routeLobstr(state: LobstrState, serverUrl: string, req: RecordedRequest, res: ServerResponse): void {
  if (req.headers.authorization !== `Token ${state.apiKey}`) {
    return sendJson(res, 401, { detail: 'Authentication credentials were not provided.' });
  }
  const runMatch = /^\/v1\/runs\/([^/]+)$/.exec(req.path);
  if (req.method === 'GET' && runMatch) return answerRun(state, runMatch[1]!, res);
  if (req.method === 'GET' && req.path === '/v1/results') return answerResults(state, serverUrl, req, res);
  return sendJson(res, 404, { detail: 'Not found.' });
}

function answerRun(state: LobstrState, runId: string, res: ServerResponse): void {
  const run = state.runs.get(runId);
  if (!run)
    return sendJson(res, 404, { error: { message: 'Run not found', type: 'not_found_error', param: 'run_hash' } });
  return sendJson(res, 200, {
    id: run.id,
    object: 'run',
    squid: run.squid,
    status: run.status,
    is_done: run.status === 'done',
    total_results: run.results.length,
    duration: '0:00:50.183300',
    done_reason: run.status === 'done' ? 'tasks_done' : null,
  });
}

function answerResults(state: LobstrState, serverUrl: string, req: RecordedRequest, res: ServerResponse): void {
  const rateHeaders = {
    'x-ratelimit-limit': String(state.resultsPerSecond),
    'x-ratelimit-reset': String(Math.ceil(Date.now() / 1000) + 1),
  };
  if (!admitResultsRequest(state)) {
    // Lobstr's 429 bodies come in two shapes; alternate between them.
    const body =
      state.throttledCount++ % 2 === 0
        ? { detail: 'Request was throttled. Expected available in 1 second.' }
        : { error: 'Rate limit exceeded. Please try again later.', type: 'RateLimitExceeded', code: 429 };
    return sendJson(res, 429, body, { ...rateHeaders, 'x-ratelimit-remaining': '0', 'retry-after': '1' });
  }

  const runId = req.query.get('run');
  const squid = req.query.get('squid');
  if ((runId === null) === (squid === null)) {
    return sendJson(res, 400, { detail: 'Exactly one of the parameters run or squid is required.' });
  }
  const run = runId ? state.runs.get(runId) : [...state.runs.values()].find((r) => r.squid === squid);
  if (!run) return sendJson(res, 404, { error: { message: 'Run not found', type: 'not_found_error', param: 'run' } });
  const page = Math.max(1, Number(req.query.get('page') ?? 1));
  const fault = state.faults.find((f) => f.page === page && f.times > 0);
  if (fault) {
    fault.times--;
    return sendJson(res, fault.status, { detail: 'Something went wrong.' });
  }
  const limit = Math.min(100, Math.max(1, Number(req.query.get('limit') ?? req.query.get('page_size') ?? 50)));
  state.pagesServed++;
  return sendJson(res, 200, resultsPage(run, page, limit, serverUrl), {
    ...rateHeaders,
    'x-ratelimit-remaining': String(state.resultsPerSecond - state.recentResultRequests.length),
  });
}

/** The sliding one-second window of /results: false when it is full (the request is then not counted). */
function admitResultsRequest(state: LobstrState): boolean {
  const now = Date.now();
  const recent = state.recentResultRequests;
  while (recent.length > 0 && recent[0]! <= now - 1000) recent.shift();
  if (recent.length >= state.resultsPerSecond) return false;
  recent.push(now);
  return true;
}

function resultsPage(run: FakeLobstrRun, page: number, limit: number, serverUrl: string) {
  const total = run.results.length;
  const totalPages = Math.max(1, Math.ceil(total / limit));
  const from = (page - 1) * limit;
  const data = run.results
    .slice(from, from + limit)
    .map((r) => ({ object: 'result', run: run.id, squid: run.squid, ...r }));
  const link = (p: number) => `${serverUrl}/v1/results?run=${run.id}&page=${p}&limit=${limit}`;
  return {
    total_results: total,
    limit,
    page,
    total_pages: totalPages,
    result_from: data.length ? from + 1 : 0,
    result_to: from + data.length,
    next: page < totalPages ? link(page + 1) : null,
    previous: page > 1 ? link(page - 1) : null,
    data,
  };
}
