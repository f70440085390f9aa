export { createTestDatabase, type TestDatabase } from './database.ts';
export { createTestQueuePrefix, type TestQueuePrefix } from './queues.ts';
export { startFakeServer, sendJson, type FakeServer, type FakeHandler, type RecordedRequest } from './fake-server.ts';
export { testEnv } from './env.ts';
export { repoRoot, databaseUrl } from './environment.ts';
