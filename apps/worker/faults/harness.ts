// The fault suite's harness, as the scenarios import it: a world (own database and queue prefix on
// the private servers), fake providers, real worker OS processes (restarted when they die, as a
// supervisor would), the end-to-end tenant, its clean run as the oracle, and the measures each
// scenario's row reports. Each lives in a file of its own; this one gathers them.
export { describeFaults, report, servers, sleep, suiteDir } from './suite.js';
export { createFaultWorld, SWEEP_PERIOD_SECONDS } from './fault-world.js';
export { createTenantWorld, type TenantWorld } from './tenant-world.js';
export { assess, creditsOverspent, expectedContacts, providerDuplicates } from './oracle.js';
export { stuckCount } from './run-state.js';
