import { afterAll, beforeAll } from 'vitest';
import { createLogger, parseEnv, type Logger } from '@auto-prospect/core';
import {
  createTestDatabase,
  createTestQueuePrefix,
  testEnv,
  type TestDatabase,
  type TestQueuePrefix,
} from '@auto-prospect/testkit';
import { createContext, type ContextOptions, type WorkerContext } from '../../src/context.js';

export interface TestWorld {
  db: TestDatabase;
  queuePrefix: TestQueuePrefix;
  context: WorkerContext;
  /** Another worker process on the same database and queues (its own connections), with its own overrides. */
  addProcess(options?: ContextOptions, overrides?: Record<string, string>): WorkerContext;
  /** Closes every context, then removes the database and the queue keys. */
  teardown(): Promise<void>;
}

/** A worker context on its own database and queue prefix, as main.ts builds it. */
export async function createTestWorld(
  overrides: Record<string, string> = {},
  options: ContextOptions & { logger?: Logger } = {},
): Promise<TestWorld> {
  const db = await createTestDatabase();
  const queuePrefix = createTestQueuePrefix();
  const env = parseEnv(testEnv({ DATABASE_URL: db.url, QUEUE_PREFIX: queuePrefix.prefix, ...overrides }));
  const logger = options.logger ?? createLogger('silent');
  const contexts = [createContext(env, logger, options)];
  return {
    db,
    queuePrefix,
    context: contexts[0]!,
    addProcess(extra = {}, moreOverrides = {}) {
      const processEnv = parseEnv(
        testEnv({ DATABASE_URL: db.url, QUEUE_PREFIX: queuePrefix.prefix, ...overrides, ...moreOverrides }),
      );
      const context = createContext(processEnv, logger, { ...options, ...extra });
      contexts.push(context);
      return context;
    },
    async teardown() {
      await Promise.all(contexts.map((c) => c.close()));
      await queuePrefix.clear();
      await db.drop();
    },
  };
}

/** A world for the calling file, started before its tests and torn down after them. */
export function useStartedWorld(overrides: Record<string, string> = {}): { readonly context: WorkerContext } {
  let world: TestWorld | undefined;
  beforeAll(async () => {
    world = await createTestWorld(overrides);
    await world.context.start();
  });
  afterAll(async () => {
    await world?.teardown();
  });
  return {
    get context() {
      return world!.context;
    },
  };
}
