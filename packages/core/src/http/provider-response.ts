// Shared HTTP plumbing for provider clients: a bounded request that classifies what went wrong.
import { TIMEOUTS_MS } from '../config/worker.config.js';
import { RateLimitedError, TransientError } from '../errors.js';

export interface ProviderResponse {
  status: number;
  headers: Headers;
  /** Parsed JSON body, or undefined when the body is not JSON. */
  body: unknown;
}

/** Retry-After in ms (seconds or an HTTP date), or the fallback. */
export function retryAfterMs(headers: Headers, fallbackMs: number): number {
  const value = headers.get('retry-after');
  if (!value) return fallbackMs;
  const seconds = Number(value);
  if (Number.isFinite(seconds)) return Math.max(0, seconds * 1000);
  const date = Date.parse(value);
  return Number.isNaN(date) ? fallbackMs : Math.max(0, date - Date.now());
}

/**
 * A GET-like request that is safe to repeat: no answer (network error, timeout) is transient.
 * Senders whose calls are not safe to repeat classify those failures themselves.
 */
export async function fetchIdempotent(provider: string, url: string, init: RequestInit & { signal?: AbortSignal }): Promise<ProviderResponse> {
  const timeout = AbortSignal.timeout(TIMEOUTS_MS.providerRequest);
  let response: Response;
  try {
    response = await fetch(url, { ...init, signal: init.signal ? AbortSignal.any([init.signal, timeout]) : timeout });
  } catch (err) {
    throw new TransientError(`${provider}_UNREACHABLE`, `${provider.toLowerCase()} did not answer`, { cause: err });
  }
  const text = await response.text();
  let body: unknown;
  try {
    body = text ? JSON.parse(text) : undefined;
  } catch {
    body = undefined;
  }
  if (response.status === 429) {
    throw new RateLimitedError(`${provider}_RATE_LIMITED`, `${provider.toLowerCase()} rate limit`, retryAfterMs(response.headers, 1000));
  }
  if (response.status >= 500) {
    throw new TransientError(`${provider}_SERVER_ERROR`, `${provider.toLowerCase()} answered ${response.status}`);
  }
  return { status: response.status, headers: response.headers, body };
}
