// Voice Partner allows N campaign requests per window for the platform's key, all workers
// together. One request every window/N, never a burst, keeps any window of that length at N
// requests or fewer whatever the provider counts (fixed or sliding window); bursting would save
// at most a minute a day at this volume. The slot is the send pacer's (one atomic step in Redis,
// millisecond precision), under the platform's name instead of an account's.
import type { RedisClient } from './connections.js';
import { createSendPacer } from './send-pacer.js';

export interface VoiceRequestPace {
  /** Takes the next request slot now (null), or says when it opens. */
  take(): Promise<Date | null>;
  /** Voice Partner said 429: no request before `until`. */
  postpone(until: Date): Promise<void>;
}

const PLATFORM = 'platform';

export function createVoiceRequestPace(
  redis: RedisClient,
  prefix: string,
  limit: { requests: number; windowSeconds: number },
): VoiceRequestPace {
  // An exact gap: the pacer's random part (1–2× the minimum) is for phones that must not look automated.
  const pacer = createSendPacer(redis, prefix, { ringless_voice: limit.windowSeconds / limit.requests }, () => 0);
  return {
    take: () => pacer.reserve(PLATFORM, 'ringless_voice'),
    postpone: (until) => pacer.postpone(PLATFORM, 'ringless_voice', until),
  };
}
