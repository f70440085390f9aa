// The scripted faults the SMS and voice fakes share: which calls fall in the faulty share, and
// requests received but never answered (a hang).
import type { ServerResponse } from 'node:http';

export interface ScriptedFaults {
  /** Counts one call: true if it falls in the faulty share `ratio` (0..1). */
  nextIsFaulty(ratio: number): boolean;
  /** Never answers the request, as a provider that hangs. */
  hang(res: ServerResponse): void;
  /** Cuts the requests left hanging, for the fake's close. */
  release(): void;
}

export function scriptedFaults(): ScriptedFaults {
  let calls = 0;
  const hanging: ServerResponse[] = [];
  return {
    nextIsFaulty(ratio) {
      // Every call moves the counter, so the faulty share is exact and spread, not random.
      calls++;
      return Math.floor(calls * ratio) > Math.floor((calls - 1) * ratio);
    },
    hang(res) {
      hanging.push(res);
    },
    release() {
      for (const res of hanging) res.destroy();
    },
  };
}
