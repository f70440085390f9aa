// Lobstr.io API: runs and their results (providers.md §3). Authorization: "Token <key>".
import pThrottle from 'p-throttle';
import { z } from 'zod';
import { LIMITS } from '../config/worker.config.js';
import { PermanentError, TransientError } from '../errors.js';
import { providerRequest, type ProviderResponse } from '../http/provider-response.js';

export interface LobstrRun {
  id: string;
  squid: string | null;
  status: string;
}

export interface LobstrResultsPage {
  page: number;
  results: Record<string, unknown>[];
  /** False once this was the last page. */
  hasNext: boolean;
}

export interface LobstrClient {
  getRun(runId: string, signal?: AbortSignal): Promise<LobstrRun>;
  getResultsPage(runId: string, page: number, signal?: AbortSignal): Promise<LobstrResultsPage>;
}

const runSchema = z.looseObject({
  id: z.string(),
  // A hash in runs; some payloads nest it as {id, name}.
  squid: z.union([z.string(), z.looseObject({ id: z.string() })]).nullish(),
  status: z.string(),
});

/**
 * Any JSON object: mapLobstrResult reads each field defensively, so checking (and copying) every
 * field of every result here measured ≈ 8 % of an ingestion's CPU for nothing.
 */
const result = z.custom<Record<string, unknown>>(
  (value) => typeof value === 'object' && value !== null && !Array.isArray(value),
  'each result must be an object',
);

const resultsSchema = z.looseObject({
  data: z.array(result),
  page: z.coerce.number().optional(),
  total_pages: z.coerce.number().optional(),
  next: z.string().nullish(),
});

/** Lobstr's error bodies come in several shapes; take the first message found. */
function errorMessage(body: unknown): string {
  const b = body as { detail?: unknown; error?: unknown; errors?: { message?: unknown } } | undefined;
  const candidates = [
    b?.detail,
    b?.error,
    (b?.error as { message?: unknown } | undefined)?.message,
    b?.errors?.message,
  ];
  const found = candidates.find((c) => typeof c === 'string');
  return typeof found === 'string' ? found : 'no message';
}

function classify(response: ProviderResponse, what: string): void {
  const { status, body } = response;
  if (status >= 200 && status < 300) return;
  const message = `${what}: ${status} ${errorMessage(body)}`;
  if (status === 401 || status === 403) throw new PermanentError('LOBSTR_UNAUTHORIZED', message);
  if (status === 404) throw new PermanentError('LOBSTR_NOT_FOUND', message);
  throw new PermanentError('LOBSTR_BAD_REQUEST', message);
}

function parse<T>(schema: z.ZodType<T>, body: unknown, what: string): T {
  const parsed = schema.safeParse(body);
  if (!parsed.success) throw new TransientError('LOBSTR_BAD_RESPONSE', `${what}: unexpected response shape`);
  return parsed.data;
}

export function createLobstrClient(options: {
  baseUrl: string;
  apiKey: string;
  resultsPerSecond?: number;
}): LobstrClient {
  const base = options.baseUrl.replace(/\/+$/, '');
  const headers = { authorization: `Token ${options.apiKey}`, accept: 'application/json' };
  // /v1/results allows 2 requests per second for the whole account. Strict (no bursts at window
  // edges) and a 25% margin, since Lobstr counts arrivals and requests take varying times to travel.
  const throttle = pThrottle({ limit: options.resultsPerSecond ?? 2, interval: 1250, strict: true });
  const get = (url: string, signal?: AbortSignal) =>
    providerRequest('LOBSTR', url, { headers }, { repeatable: true, signal });
  const getResults = throttle(get);

  return {
    async getRun(runId, signal) {
      const response = await get(`${base}/runs/${encodeURIComponent(runId)}`, signal);
      classify(response, `run ${runId}`);
      const run = parse(runSchema, response.body, `run ${runId}`);
      return {
        id: run.id,
        squid: typeof run.squid === 'object' ? (run.squid?.id ?? null) : (run.squid ?? null),
        status: run.status.toLowerCase(),
      };
    },

    async getResultsPage(runId, page, signal) {
      const query = new URLSearchParams({
        run: runId,
        page: String(page),
        limit: String(LIMITS.lobstrResultsPageSize),
      });
      const response = await getResults(`${base}/results?${query.toString()}`, signal);
      classify(response, `results of run ${runId} page ${page}`);
      const envelope = parse(resultsSchema, response.body, `results page ${page}`);
      const lastByCount = envelope.total_pages !== undefined && page >= envelope.total_pages;
      const hasNext = envelope.data.length > 0 && !lastByCount && envelope.next !== null;
      return { page, results: envelope.data, hasNext };
    },
  };
}
