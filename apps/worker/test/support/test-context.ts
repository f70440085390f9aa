import { createLogger, parseEnv } from '@auto-prospect/core';
import { createTestDatabase, createTestQueuePrefix, testEnv, type TestDatabase, type TestQueuePrefix } from '@auto-prospect/testkit';
import { createContext, type WorkerContext } from '../../src/context.js';

export interface TestWorld {
  db: TestDatabase;
  queuePrefix: TestQueuePrefix;
  context: WorkerContext;
  /** Closes the context, then removes the database and the queue keys. */
  teardown(): Promise<void>;
}

/** A worker context on its own database and queue prefix, as main.ts builds it. */
export async function createTestWorld(overrides: Record<string, string> = {}): Promise<TestWorld> {
  const db = await createTestDatabase();
  const queuePrefix = createTestQueuePrefix();
  const env = parseEnv(testEnv({ DATABASE_URL: db.url, QUEUE_PREFIX: queuePrefix.prefix, ...overrides }));
  const context = createContext(env, createLogger('silent'));
  return {
    db,
    queuePrefix,
    context,
    async teardown() {
      await context.close();
      await queuePrefix.clear();
      await db.drop();
    },
  };
}
