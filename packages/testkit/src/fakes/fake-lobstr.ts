// A Lobstr.io API on 127.0.0.1 that follows providers.md §3: "Token" auth, runs, paginated
// results (limit or page_size, capped at 100, with next/previous), 2 requests/second on
// /results answered by 429 + Retry-After, and the documented error shapes. Faults are scripted.
import { sendJson, startFakeServer, type FakeServer } from '../fake-server.js';

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

export async function startFakeLobstr(options: { apiKey: string; resultsPerSecond?: number }): Promise<FakeLobstr> {
  const runs = new Map<string, FakeLobstrRun>();
  const faults: FakeLobstrFault[] = [];
  const resultsPerSecond = options.resultsPerSecond ?? 2;
  const recentResultRequests: number[] = [];
  let pagesServed = 0;
  let throttledCount = 0;

  const server = await startFakeServer((req, res) => {
    const rateHeaders = { 'x-ratelimit-limit': String(resultsPerSecond), 'x-ratelimit-reset': String(Math.ceil(Date.now() / 1000) + 1) };
    if (req.headers.authorization !== `Token ${options.apiKey}`) {
      return sendJson(res, 401, { detail: 'Authentication credentials were not provided.' });
    }

    const runMatch = /^\/v1\/runs\/([^/]+)$/.exec(req.path);
    if (req.method === 'GET' && runMatch) {
      const run = runs.get(runMatch[1]!);
      if (!run) return sendJson(res, 404, { error: { message: 'Run not found', type: 'not_found_error', param: 'run_hash' } });
      return sendJson(res, 200, {
        id: run.id, object: 'run', squid: run.squid, status: run.status, is_done: run.status === 'done',
        total_results: run.results.length, duration: '0:00:50.183300', done_reason: run.status === 'done' ? 'tasks_done' : null,
      });
    }

    if (req.method === 'GET' && req.path === '/v1/results') {
      const now = Date.now();
      while (recentResultRequests.length > 0 && recentResultRequests[0]! <= now - 1000) recentResultRequests.shift();
      if (recentResultRequests.length >= resultsPerSecond) {
        // Lobstr's 429 bodies come in two shapes; alternate between them.
        const body = throttledCount++ % 2 === 0
          ? { detail: 'Request was throttled. Expected available in 1 second.' }
          : { error: 'Rate limit exceeded. Please try again later.', type: 'RateLimitExceeded', code: 429 };
        return sendJson(res, 429, body, { ...rateHeaders, 'x-ratelimit-remaining': '0', 'retry-after': '1' });
      }
      recentResultRequests.push(now);

      const runId = req.query.get('run');
      const squid = req.query.get('squid');
      if ((runId === null) === (squid === null)) {
        return sendJson(res, 400, { detail: 'Exactly one of the parameters run or squid is required.' });
      }
      const run = runId ? runs.get(runId) : [...runs.values()].find((r) => r.squid === squid);
      if (!run) return sendJson(res, 404, { error: { message: 'Run not found', type: 'not_found_error', param: 'run' } });
      const page = Math.max(1, Number(req.query.get('page') ?? 1));
      const fault = faults.find((f) => f.page === page && f.times > 0);
      if (fault) {
        fault.times--;
        return sendJson(res, fault.status, { detail: 'Something went wrong.' });
      }
      const limit = Math.min(100, Math.max(1, Number(req.query.get('limit') ?? req.query.get('page_size') ?? 50)));
      const total = run.results.length;
      const totalPages = Math.max(1, Math.ceil(total / limit));
      const from = (page - 1) * limit;
      const data = run.results.slice(from, from + limit).map((r) => ({ object: 'result', run: run.id, squid: run.squid, ...r }));
      const link = (p: number) => `${server.url}/v1/results?run=${run.id}&page=${p}&limit=${limit}`;
      pagesServed++;
      return sendJson(res, 200, {
        total_results: total, limit, page, total_pages: totalPages,
        result_from: data.length ? from + 1 : 0, result_to: from + data.length,
        next: page < totalPages ? link(page + 1) : null, previous: page > 1 ? link(page - 1) : null, data,
      }, { ...rateHeaders, 'x-ratelimit-remaining': String(resultsPerSecond - recentResultRequests.length) });
    }

    return sendJson(res, 404, { detail: 'Not found.' });
  });

  return { ...server, baseUrl: `${server.url}/v1`, runs, faults, resultPagesServed: () => pagesServed };
}
