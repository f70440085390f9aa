import type { RedisClient } from '@auto-prospect/core/clients';
import { within as withinCore, type Logger } from '@auto-prospect/core';

export type CloseStep = readonly [name: string, close: () => Promise<unknown> | void];

/** Runs each step in turn; a failing step is logged and never skips the ones after it. */
export async function closeInOrder(logger: Logger, steps: readonly CloseStep[]): Promise<void> {
  for (const [name, close] of steps) {
    try {
      await close();
    } catch (err) {
      logger.error({ err, step: name }, 'shutdown step failed');
    }
  }
}

/** Resolves with the work's result, or rejects once `ms` have passed, naming what did not finish. */
export function within<T>(ms: number, work: Promise<T>, what: string): Promise<T> {
  return withinCore(ms, work, () => new Error(`${what} did not finish within ${ms} ms`));
}

/** QUIT when connected (replies drain first); otherwise drop the socket: a queued QUIT would wait forever. */
export async function closeRedis(connection: RedisClient): Promise<void> {
  if (connection.status !== 'ready') {
    connection.disconnect();
    return;
  }
  await within(1000, connection.quit(), 'redis quit').catch(() => connection.disconnect());
}
