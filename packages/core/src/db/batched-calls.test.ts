import { describe, expect, it } from 'vitest';
import { batchedCalls } from './batched-calls.js';

/** A run that records its batches and finishes when told to. */
function controlledRun(failOn?: string) {
  const batches: string[][] = [];
  const pending: (() => void)[] = [];
  const run = (items: readonly string[]) => {
    batches.push([...items]);
    return new Promise<string[]>((resolve, reject) =>
      pending.push(() =>
        failOn && items.includes(failOn)
          ? reject(new Error(`refused ${items.join(' ')}`))
          : resolve(items.map((i) => `done ${i}`)),
      ),
    );
  };
  const finishAll = async () => {
    while (pending.length > 0) {
      pending.shift()!();
      await new Promise((r) => setImmediate(r));
    }
  };
  return { run, batches, finishAll };
}

describe('batchedCalls', () => {
  it('runs the first call at once and the calls made meanwhile together, per key', async () => {
    const { run, batches, finishAll } = controlledRun();
    const call = batchedCalls((item: string) => item[0]!, run);
    const results = Promise.all([call('a1'), call('a2'), call('a3'), call('b1')]);
    await finishAll();
    expect(await results).toEqual(['done a1', 'done a2', 'done a3', 'done b1']);
    expect(batches).toEqual([['a1'], ['b1'], ['a2', 'a3']]);
  });

  it('runs the items of a failed batch one by one, so only the failing call sees the error', async () => {
    const { run, batches, finishAll } = controlledRun('a3');
    const call = batchedCalls((item: string) => item[0]!, run);
    const first = call('a1');
    const rest = [call('a2'), call('a3')].map((p) => p.catch((err: Error) => err.message));
    await finishAll();
    expect(await first).toBe('done a1');
    expect(await Promise.all(rest)).toEqual(['done a2', 'refused a3']);
    expect(batches).toEqual([['a1'], ['a2', 'a3'], ['a2'], ['a3']]);
  });

  it('starts afresh once a key has nothing left in flight', async () => {
    const { run, batches, finishAll } = controlledRun();
    const call = batchedCalls((item: string) => item[0]!, run);
    const one = call('a1');
    await finishAll();
    await one;
    const two = call('a2');
    await finishAll();
    expect(await two).toBe('done a2');
    expect(batches).toEqual([['a1'], ['a2']]);
  });
});
