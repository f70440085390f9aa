// A fault world: its own database and queue prefix on the private servers, the fake SMS and voice
// providers, and real worker OS processes (see worker-pool.ts) running the day against them.
import { ROUTES } from '@auto-prospect/core';
import {
  startFakeSmsMobileApi,
  startFakeVoicePartner,
  testEnv,
  type FakeSmsMobileApi,
  type FakeVoicePartner,
} from '@auto-prospect/testkit';
import type { WorkerContext } from '../src/context.js';
import { createTestWorld, type TestWorld } from '../test/support/test-context.js';
import type { WorkerProcess } from '../test/support/worker-process.js';
import { requeued, runState } from './run-state.js';
import { auth, recordSecrets, sleep } from './suite.js';
import { workerPool, type WorkerPool } from './worker-pool.js';

const VOICE_KEY = 'voice-platform-key-faults';
const VOICE_AUDIO = 'audio-e2e';

/** Short periods so that recovery (stalled jobs, the sweeper, the schedulers) happens within a scenario. */
export const SWEEP_PERIOD_SECONDS = 5;
const WORKER_DEFAULTS = {
  LOG_LEVEL: 'info',
  STALLED_JOB_SECONDS: '2',
  SWEEP_PERIOD_SECONDS: String(SWEEP_PERIOD_SECONDS),
  PROVIDER_TIMEOUT_MS: '5000',
  SHUTDOWN_TIMEOUT_MS: '5000',
  SMS_MIN_GAP_SECONDS: '0',
  VOICE_REQUESTS_PER_MINUTE: '10000',
  WEBHOOK_RATE_LIMIT_PER_MINUTE: '1000000',
  API_RATE_LIMIT_PER_MINUTE: '1000000',
};

type Accounts = Map<string, { smsKey: string | null; sms: number; voice: number }>;

export interface FaultWorld {
  name: string;
  world: TestWorld;
  sql: WorkerContext['sql'];
  sms: FakeSmsMobileApi;
  voice: FakeVoicePartner;
  workers: WorkerProcess[];
  /** The seeded accounts' SMS keys and the credits they were given. */
  accounts: Accounts;
  /** Records the seeded accounts (after seeding): keys for the checks, secrets for the scan. */
  registerAccounts(accounts: { id: string; smsKey: string | null }[]): Promise<void>;
  /** Worker processes that died without being killed by the scenario (restarted). */
  readonly crashes: number;
  startWorkers(count: number): Promise<void>;
  /** SIGKILL worker i and start it again. */
  kill(i: number, options?: { restart?: boolean }): Promise<void>;
  restart(i: number): Promise<void>;
  trigger(): Promise<string>;
  /**
   * Seconds until the run completed with nothing pending or sending (restarting dead workers), or
   * null at the deadline.
   */
  waitFinished(timeoutMs?: number): Promise<number | null>;
  /**
   * Seconds from `since` until Redis again holds every job the database says is outstanding (see
   * requeued), or null at the deadline.
   */
  waitRequeued(since: number, timeoutMs?: number): Promise<number | null>;
  close(): Promise<void>;
}

export async function createFaultWorld(name: string, overrides: Record<string, string> = {}): Promise<FaultWorld> {
  const { sms, voice } = await startFakeProviders();
  const settings = {
    ...WORKER_DEFAULTS,
    SMSMOBILEAPI_BASE_URL: sms.url,
    VOICE_PARTNER_BASE_URL: voice.baseUrl,
    VOICE_PARTNER_API_KEY: VOICE_KEY,
    ...overrides,
  };
  // The in-process context is never started: it seeds and reads; the day runs in the worker processes.
  const world = await createTestWorld(settings);
  const pool = workerPool(
    name,
    testEnv({ DATABASE_URL: world.db.url, QUEUE_PREFIX: world.queuePrefix.prefix, ...settings }),
  );
  const accounts: Accounts = new Map();
  return {
    name,
    world,
    sql: world.context.sql,
    sms,
    voice,
    workers: pool.workers,
    accounts,
    registerAccounts: (seeded) => registerAccounts(world.context, sms, accounts, seeded),
    get crashes() {
      return pool.crashes;
    },
    startWorkers: (count) => pool.start(count),
    kill: (i, options) => pool.kill(i, options),
    restart: (i) => pool.restart(i),
    trigger: () => triggerDailyRun(pool.workers[0]!),
    waitFinished: (timeoutMs) => waitFinished(world.context, pool, timeoutMs),
    waitRequeued: (since, timeoutMs) => waitRequeued(world.context, since, timeoutMs),
    async close() {
      await pool.stop();
      // Not world.teardown(): the queue keys stay in the private Redis for the secret scan.
      await world.context.close();
      await world.db.drop();
      await sms.close();
      await voice.close();
    },
  };
}

/**
 * The platform's voice key has credit to spare and no rate limit to speak of: the scenarios test
 * the worker, not it.
 */
async function startFakeProviders(): Promise<{ sms: FakeSmsMobileApi; voice: FakeVoicePartner }> {
  const sms = await startFakeSmsMobileApi();
  const voice = await startFakeVoicePartner();
  voice.keys.set(VOICE_KEY, 100_000);
  voice.audios.add(VOICE_AUDIO);
  voice.modes.requestsPerMinute = 100_000;
  return { sms, voice };
}

async function registerAccounts(
  context: WorkerContext,
  sms: FakeSmsMobileApi,
  accounts: Accounts,
  seeded: { id: string; smsKey: string | null }[],
): Promise<void> {
  for (const account of seeded) {
    const [given] = await context.sql<{ sms: number; voice: number }[]>`
      select sms, ringless_voice as voice from credit_balances where account_id = ${account.id}`;
    accounts.set(account.id, { smsKey: account.smsKey, sms: given!.sms, voice: given!.voice });
    if (account.smsKey) sms.keys.set(account.smsKey, 'valid');
  }
  recordSecrets(seeded.flatMap((a) => (a.smsKey ? [a.smsKey] : [])));
}

/** Starts the day's run through the first worker's API; returns the run id. */
async function triggerDailyRun(worker: WorkerProcess): Promise<string> {
  const started = await fetch(`${await worker.url}${ROUTES.dailyRuns}`, { method: 'POST', headers: auth });
  if (started.status !== 202)
    throw new Error(`POST ${ROUTES.dailyRuns} answered ${started.status}: ${await started.text()}`);
  return ((await started.json()) as { runId: string }).runId;
}

async function waitFinished(context: WorkerContext, pool: WorkerPool, timeoutMs = 90_000): Promise<number | null> {
  const since = Date.now();
  while (Date.now() - since < timeoutMs) {
    await pool.restartCrashed();
    // While Postgres is away the probe fails: keep polling.
    const state = await runState(context.sql).catch((err: unknown) => {
      if (!/ECONNREFUSED|ECONNRESET|terminat|shutting down|starting up|CONNECTION_/i.test(String(err))) throw err;
      return null;
    });
    if (state?.run === 'completed' && state.active === 0 && state.huntsRunning === 0)
      return (Date.now() - since) / 1000;
    await sleep(250);
  }
  return null;
}

async function waitRequeued(context: WorkerContext, since: number, timeoutMs = 60_000): Promise<number | null> {
  while (Date.now() - since < timeoutMs) {
    if (await requeued(context)) return (Date.now() - since) / 1000;
    await sleep(100);
  }
  return null;
}
