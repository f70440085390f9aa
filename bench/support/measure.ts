// How every benchmark measures: each side of a comparison runs for at least MIN_SIDE_MS per round
// (a short run mostly measures the machine's noise), ROUNDS rounds alternate the sides, and the
// median with the spread is reported. Memory is measured apart from any timed window.

export const MIN_SIDE_MS = 5_000;
export const ROUNDS = 3;

const median = (values: readonly number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;

/** "1.23 (1.10–1.31)": the median and the range of the rounds. */
export function summary(values: readonly number[], digits = 2): string {
  const fixed = (v: number) => v.toFixed(digits);
  return `${fixed(median(values))} (${fixed(Math.min(...values))}–${fixed(Math.max(...values))})`;
}

/**
 * Items per second of `once`, repeated until its timed parts add up to MIN_SIDE_MS. `once` times
 * its own work: what it does to start from the same state (truncating, obliterating) is not timed.
 */
export async function itemsPerSecond(once: () => Promise<{ items: number; ms: number }>): Promise<number> {
  let items = 0;
  let ms = 0;
  while (ms < MIN_SIDE_MS) {
    const run = await once();
    items += run.items;
    ms += run.ms;
  }
  return (items / ms) * 1000;
}

/**
 * How far the process's RSS rises above where it was while `work` runs (sampled every 20 ms,
 * never forcing a collection while it runs: only before, so the starting point is what is
 * retained), and how much of the heap `work` leaves behind once collected: garbage the heap grew
 * for and has not returned shows in the first, a leak in both.
 */
export async function memoryGrowth<T>(
  work: () => Promise<T>,
): Promise<{ result: T; growthMb: number; retainedMb: number }> {
  global.gc?.();
  const before = process.memoryUsage();
  let peak = before.rss;
  const sample = () => {
    peak = Math.max(peak, process.memoryUsage.rss());
  };
  const timer = setInterval(sample, 20);
  try {
    const result = await work();
    sample();
    global.gc?.();
    const retained = process.memoryUsage().heapUsed - before.heapUsed;
    return { result, growthMb: (peak - before.rss) / 2 ** 20, retainedMb: retained / 2 ** 20 };
  } finally {
    clearInterval(timer);
  }
}

/** The benchmark's size: the first numeric command-line argument (`pnpm bench fanout 10000`), or `fallback`. */
export function sizeArgument(fallback: number): number {
  const given = process.argv.slice(2).find((a) => /^\d+$/.test(a));
  return given === undefined ? fallback : Number(given);
}
