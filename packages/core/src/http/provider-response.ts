// Shared HTTP plumbing for provider clients: a bounded request that classifies what went wrong.
import { TIMEOUTS_MS } from '../config/worker.config.js';
import { RateLimitedError, TransientError, UnknownOutcomeError } from '../errors.js';

export interface ProviderResponse {
  status: number;
  headers: Headers;
  /** Parsed JSON body, or undefined when the body is not JSON. */
  body: unknown;
}

export interface ProviderRequestOptions {
  timeoutMs?: number;
  /**
   * Whether repeating the request is harmless (reads). A send is not: once it may have reached
   * the provider, a timeout or a dropped connection means the outcome is unknown.
   */
  repeatable: boolean;
  signal?: AbortSignal;
}

/** Failures that happen before any byte reaches the provider: a send can safely be retried. */
const NOT_CONNECTED = new Set([
  'ECONNREFUSED',
  'ENOTFOUND',
  'EAI_AGAIN',
  'ENETUNREACH',
  'EHOSTUNREACH',
  'UND_ERR_CONNECT_TIMEOUT',
]);

function causeCode(err: unknown): string | undefined {
  const cause = (err as { cause?: { code?: unknown } } | undefined)?.cause;
  return typeof cause?.code === 'string' ? cause.code : undefined;
}

/** Retry-After in ms (seconds or an HTTP date), or the fallback. */
function retryAfterMs(headers: Headers, fallbackMs: number): number {
  const value = headers.get('retry-after');
  if (!value) return fallbackMs;
  const seconds = Number(value);
  if (Number.isFinite(seconds)) return Math.max(0, seconds * 1000);
  const date = Date.parse(value);
  return Number.isNaN(date) ? fallbackMs : Math.max(0, date - Date.now());
}

export async function providerRequest(
  provider: string,
  url: string,
  init: RequestInit,
  options: ProviderRequestOptions,
): Promise<ProviderResponse> {
  const timeout = AbortSignal.timeout(options.timeoutMs ?? TIMEOUTS_MS.providerRequest);
  let response: Response;
  let text: string;
  try {
    response = await fetch(url, {
      ...init,
      signal: options.signal ? AbortSignal.any([options.signal, timeout]) : timeout,
    });
    text = await response.text();
  } catch (err) {
    if (options.repeatable || NOT_CONNECTED.has(causeCode(err) ?? '')) {
      throw new TransientError(`${provider}_UNREACHABLE`, `${provider.toLowerCase()} could not be reached`, {
        cause: err,
      });
    }
    throw new UnknownOutcomeError(
      `${provider}_NO_ANSWER`,
      `${provider.toLowerCase()} gave no answer; the request may have been processed`,
      { cause: err },
    );
  }
  let body: unknown;
  try {
    body = text ? JSON.parse(text) : undefined;
  } catch {
    body = undefined;
  }
  if (response.status === 429) {
    throw new RateLimitedError(
      `${provider}_RATE_LIMITED`,
      `${provider.toLowerCase()} rate limit`,
      retryAfterMs(response.headers, 1000),
    );
  }
  if (response.status >= 500) {
    throw new TransientError(`${provider}_SERVER_ERROR`, `${provider.toLowerCase()} answered ${response.status}`);
  }
  return { status: response.status, headers: response.headers, body };
}
