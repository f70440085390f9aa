// Concurrent calls that would wait on each other in Postgres (they update one row, such as an
// account's balance, whose lock each would hold until its commit) share a statement instead: per
// key, the first call runs at once, and calls made while it is in flight wait for it and then run
// together, one commit for all of them. Calls of different keys never wait on each other.

interface Call<I, R> {
  item: I;
  resolve: (result: R) => void;
  reject: (err: unknown) => void;
}

/** `run` takes items of one key and answers one result per item, in order. */
export function batchedCalls<I, R>(
  keyOf: (item: I) => string,
  run: (items: readonly I[]) => Promise<readonly R[]>,
): (item: I) => Promise<R> {
  // The calls waiting behind each key's batch in flight; a key is here while its batch runs.
  const waiting = new Map<string, Call<I, R>[]>();

  async function runBatch(batch: Call<I, R>[]): Promise<void> {
    try {
      const results = await run(batch.map((c) => c.item));
      batch.forEach((c, i) => c.resolve(results[i]!));
    } catch (err) {
      if (batch.length === 1) batch[0]!.reject(err);
      // One item may be what failed the statement: each runs again on its own, so only its own
      // call sees the error.
      else await Promise.all(batch.map((c) => run([c.item]).then((r) => c.resolve(r[0]!), c.reject)));
    }
  }

  async function drain(key: string, first: Call<I, R>): Promise<void> {
    for (let batch = [first]; batch.length > 0; batch = waiting.get(key)!) {
      waiting.set(key, []);
      await runBatch(batch);
    }
    waiting.delete(key);
  }

  return (item) =>
    new Promise<R>((resolve, reject) => {
      const key = keyOf(item);
      const queued = waiting.get(key);
      if (queued) queued.push({ item, resolve, reject });
      else void drain(key, { item, resolve, reject });
    });
}
