export { createTestDatabase, type TestDatabase } from './database.js';
export { createTestQueuePrefix, type TestQueuePrefix } from './queues.js';
export { startFakeServer, sendJson, type FakeServer, type FakeHandler, type RecordedRequest } from './fake-server.js';
export { testEnv } from './env.js';
export { repoRoot, databaseUrl } from './environment.js';
export { startFakeLobstr, type FakeLobstr, type FakeLobstrRun, type FakeLobstrFault } from './fakes/fake-lobstr.js';
export { generateLobstrResults, type GeneratedLobstrResults } from './fakes/lobstr-results.js';
