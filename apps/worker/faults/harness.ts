// The fault suite's harness: a world (own database and queue prefix on the private servers),
// fake providers, real worker OS processes (restarted when they die, as a supervisor would), the
// end-to-end tenant, its clean run as the oracle, and the measures each scenario's row reports.
import { appendFileSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, inject } from 'vitest';
import { CHANNEL_QUEUES, JOB_IDS, ROUTES, SCHEDULERS, type Channel } from '@auto-prospect/core';
import { loadDatabaseAuthState } from '@auto-prospect/core/clients';
import { startFakeSmsMobileApi, startFakeVoicePartner, testEnv, type FakeSmsMobileApi, type FakeVoicePartner } from '@auto-prospect/testkit';
import type { WorkerContext } from '../src/context.js';
import { createTestWorld, type TestWorld } from '../test/support/test-context.js';
import { fixtureAds, seedTenant, type SeededTenant } from '../test/support/tenant.js';
import { startWorkerProcess, type WorkerProcess } from '../test/support/worker-process.js';
import { writeRow, type FaultRow } from './table.js';

export const servers = inject('faults');
if (servers) {
  // The testkit's helpers (test databases, queue prefixes, testEnv) read these.
  process.env.DATABASE_URL = servers.databaseUrl;
  process.env.REDIS_URL = servers.redisUrl;
}
/** Scenario groups run only when the private servers could be started (see servers.global.ts). */
export const describeFaults = servers ? describe : describe.skip;
export const suiteDir = () => servers!.dir;

export const VOICE_KEY = 'voice-platform-key-faults';
const VOICE_AUDIO = 'audio-e2e';
export const auth = { authorization: `Bearer ${testEnv().API_SECRET!}` };
export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Short periods so that recovery (stalled jobs, the sweeper, the schedulers) happens within a scenario. */
export const SWEEP_PERIOD_SECONDS = 5;
const WORKER_DEFAULTS = {
  LOG_LEVEL: 'info', STALLED_JOB_SECONDS: '2', SWEEP_PERIOD_SECONDS: String(SWEEP_PERIOD_SECONDS), PROVIDER_TIMEOUT_MS: '5000',
  SHUTDOWN_TIMEOUT_MS: '5000', SMS_MIN_GAP_SECONDS: '0', VOICE_REQUESTS_PER_MINUTE: '10000',
  WEBHOOK_RATE_LIMIT_PER_MINUTE: '1000000', API_RATE_LIMIT_PER_MINUTE: '1000000',
};

/** Secrets the scan (7-…) must never find in Redis or the logs, gathered from every scenario. */
export function recordSecrets(values: string[]): void {
  appendFileSync(join(suiteDir(), 'secrets.jsonl'), `${JSON.stringify(values)}\n`);
}

export interface FaultWorld {
  name: string;
  world: TestWorld;
  sql: WorkerContext['sql'];
  sms: FakeSmsMobileApi;
  voice: FakeVoicePartner;
  workers: WorkerProcess[];
  /** The seeded accounts' SMS keys and the credits they were given. */
  accounts: Map<string, { smsKey: string | null; sms: number; voice: number }>;
  /** Records the seeded accounts (after seeding): keys for the checks, secrets for the scan. */
  registerAccounts(accounts: { id: string; smsKey: string | null }[]): Promise<void>;
  /** Worker processes that died without being killed by the scenario (restarted). */
  crashes: number;
  startWorkers(count: number): Promise<void>;
  /** SIGKILL worker i and start it again. */
  kill(i: number, options?: { restart?: boolean }): Promise<void>;
  restart(i: number): Promise<void>;
  trigger(): Promise<string>;
  /** Seconds until the run completed with nothing pending or sending (restarting dead workers), or null at the deadline. */
  waitFinished(timeoutMs?: number): Promise<number | null>;
  /** Seconds from `since` until Redis again holds every job the database says is outstanding (see requeued), or null at the deadline. */
  waitRequeued(since: number, timeoutMs?: number): Promise<number | null>;
  close(): Promise<void>;
}

export async function createFaultWorld(name: string, overrides: Record<string, string> = {}): Promise<FaultWorld> {
  const sms = await startFakeSmsMobileApi();
  const voice = await startFakeVoicePartner();
  voice.keys.set(VOICE_KEY, 100_000);
  voice.audios.add(VOICE_AUDIO);
  voice.modes.requestsPerMinute = 100_000;
  const settings = {
    ...WORKER_DEFAULTS, SMSMOBILEAPI_BASE_URL: sms.url, VOICE_PARTNER_BASE_URL: voice.baseUrl, VOICE_PARTNER_API_KEY: VOICE_KEY, ...overrides,
  };
  // The in-process context is never started: it seeds and reads; the day runs in the worker processes.
  const world = await createTestWorld(settings);
  const env = testEnv({ DATABASE_URL: world.db.url, QUEUE_PREFIX: world.queuePrefix.prefix, ...settings });
  const logs = join(suiteDir(), 'logs');
  mkdirSync(logs, { recursive: true });
  let logCount = 0;
  const saveLog = (worker: WorkerProcess) => writeFileSync(join(logs, `${name.replace(/\W+/g, '-')}-${logCount++}.log`), worker.output());
  const workers: WorkerProcess[] = [];
  const killed = new Set<WorkerProcess>();
  const dead = (w: WorkerProcess) => w.child.exitCode !== null || w.child.signalCode !== null;

  const self: FaultWorld = {
    name, world, sql: world.context.sql, sms, voice, workers, crashes: 0, accounts: new Map(),
    async registerAccounts(accounts) {
      for (const account of accounts) {
        const [given] = await world.context.sql<{ sms: number; voice: number }[]>`
          select sms, ringless_voice as voice from credit_balances where account_id = ${account.id}`;
        self.accounts.set(account.id, { smsKey: account.smsKey, sms: given!.sms, voice: given!.voice });
        if (account.smsKey) sms.keys.set(account.smsKey, 'valid');
      }
      recordSecrets(accounts.flatMap((a) => (a.smsKey ? [a.smsKey] : [])));
    },
    async startWorkers(count) {
      for (let i = 0; i < count; i++) workers.push(startWorkerProcess(env));
      await Promise.all(workers.map((w) => w.url));
    },
    async restart(i) {
      if (!dead(workers[i]!)) throw new Error(`worker ${i} is still running`);
      saveLog(workers[i]!);
      workers[i] = startWorkerProcess(env);
      await workers[i].url;
    },
    async kill(i, options = {}) {
      const worker = workers[i]!;
      killed.add(worker);
      const exited = worker.exited();
      worker.child.kill('SIGKILL');
      await exited;
      if (options.restart ?? true) await self.restart(i);
    },
    async trigger() {
      const started = await fetch(`${await workers[0]!.url}${ROUTES.dailyRuns}`, { method: 'POST', headers: auth });
      if (started.status !== 202) throw new Error(`POST ${ROUTES.dailyRuns} answered ${started.status}: ${await started.text()}`);
      return (await started.json() as { runId: string }).runId;
    },
    async waitFinished(timeoutMs = 90_000) {
      const since = Date.now();
      while (Date.now() - since < timeoutMs) {
        for (const [i, worker] of workers.entries()) {
          if (dead(worker) && !killed.has(worker)) {
            self.crashes++;
            killed.add(worker);
            await self.restart(i);
          }
        }
        // While Postgres is away the probe fails: keep polling.
        const state = await runState(world.context.sql).catch((err: unknown) => {
          if (!/ECONNREFUSED|ECONNRESET|terminat|shutting down|starting up|CONNECTION_/i.test(String(err))) throw err;
          return null;
        });
        if (state?.run === 'completed' && state.active === 0 && state.huntsRunning === 0) return (Date.now() - since) / 1000;
        await sleep(250);
      }
      return null;
    },
    async waitRequeued(since, timeoutMs = 60_000) {
      while (Date.now() - since < timeoutMs) {
        if (await requeued(world.context)) return (Date.now() - since) / 1000;
        await sleep(100);
      }
      return null;
    },
    async close() {
      await Promise.allSettled(workers.map(async (worker) => {
        if (!dead(worker)) {
          const exited = worker.exited();
          worker.child.kill('SIGTERM');
          const force = setTimeout(() => worker.child.kill('SIGKILL'), 15_000);
          await exited.finally(() => clearTimeout(force));
        }
        saveLog(worker);
      }));
      // Not world.teardown(): the queue keys stay in the private Redis for the secret scan.
      await world.context.close();
      await world.db.drop();
      await sms.close();
      await voice.close();
    },
  };
  return self;
}

/**
 * Whether Redis holds the job schedulers again, a job for every message still pending or
 * sending and one for every hunt of a run still running: all the work a flush took is back.
 */
async function requeued({ sql, queues }: WorkerContext): Promise<boolean> {
  const schedulers = await Promise.all([
    queues.fetchActiveHunts.getJobScheduler(SCHEDULERS.dailyRun),
    queues.maintenance.getJobScheduler(SCHEDULERS.pendingMessageSweeper),
    queues.maintenance.getJobScheduler(SCHEDULERS.smsReplyPoller),
  ]);
  if (schedulers.some((scheduler) => !scheduler)) return false;
  const messages = await sql<{ id: string; channel: Channel }[]>`select id, channel from messages where status in ('pending', 'sending')`;
  const hunts = await sql<{ runId: string; huntId: string }[]>`
    select daily_run_id as "runId", hunt_id as "huntId" from daily_run_hunts where status = 'running'`;
  const jobs = await Promise.all([
    ...messages.map((m) => queues[CHANNEL_QUEUES[m.channel]].getJob(JOB_IDS.message(m.id))),
    ...hunts.map((h) => queues.processHunt.getJob(JOB_IDS.hunt(h.runId, h.huntId))),
  ]);
  return jobs.every(Boolean);
}

async function runState(sql: WorkerContext['sql']) {
  const [row] = await sql<{ run: string | null; active: number; huntsRunning: number }[]>`
    select (select status::text from daily_runs order by started_at desc limit 1) as run,
           (select count(*)::int from messages where status in ('pending', 'sending')) as active,
           (select count(*)::int from daily_run_hunts where status = 'running') as "huntsRunning"`;
  return row!;
}

// ── The end-to-end tenant ────────────────────────────────────────────────────────────────────

export interface TenantWorld extends FaultWorld {
  tenant: SeededTenant;
}

/**
 * The tenant of test/support/tenant.ts in a fault world. The built worker has no seam for a fake
 * WhatsApp (it would dial WhatsApp's servers), so the tenant's sessions are removed: its hunts
 * use SMS and voice only, and the clean run, not tenant.ts's oracle, says what to expect.
 */
export async function createTenantWorld(name: string, overrides: Record<string, string> = {}): Promise<TenantWorld> {
  const fault = await createFaultWorld(name, overrides);
  const ads = fixtureAds(500);
  const tenant = await seedTenant(fault.world.context, ads);
  const accounts = Object.values(tenant.accounts);
  await fault.registerAccounts(accounts);
  const whatsappKeys: string[] = [];
  for (const account of accounts) {
    const { state } = await loadDatabaseAuthState(fault.sql, account.id, fault.world.context.env.WHATSAPP_ENCRYPTION_KEY);
    if (state.creds.registered) for (const pair of [state.creds.noiseKey, state.creds.signedIdentityKey]) whatsappKeys.push(Buffer.from(pair.private).toString('base64'));
  }
  recordSecrets(whatsappKeys);
  await fault.sql`delete from whatsapp_sessions`;
  return Object.assign(fault, { tenant });
}

/** (account letter, ad number) → what the account holds for the ad: its live messages (not `failed`). */
export type Contacts = Map<string, { channel: Channel; status: string }[]>;

export async function liveContacts(run: TenantWorld): Promise<Contacts> {
  const letter = new Map(Object.entries(run.tenant.accounts).map(([l, a]) => [a.id, l]));
  const rows = await run.sql<{ account_id: string; ad_id: string; channel: Channel; status: string }[]>`
    select account_id, ad_id, channel, status::text from messages where status <> 'failed' order by created_at, id`;
  const contacts: Contacts = new Map();
  for (const r of rows) {
    const key = `${letter.get(r.account_id)}:${run.tenant.adIds.get(r.ad_id)}`;
    contacts.set(key, [...(contacts.get(key) ?? []), { channel: r.channel, status: r.status }]);
  }
  return contacts;
}

/** The differential oracle: the contacts a clean run makes (key → channel), computed once per suite. */
export async function expectedContacts(): Promise<Map<string, Channel>> {
  const file = join(suiteDir(), 'baseline.json');
  if (!existsSync(file)) {
    const run = await createTenantWorld('baseline');
    try {
      await run.startWorkers(1);
      await run.trigger();
      const recover = await run.waitFinished();
      const contacts = await liveContacts(run);
      const expected = new Map([...contacts].filter(([, m]) => m.length === 1 && m[0]!.status === 'sent').map(([k, m]) => [k, m[0]!.channel]));
      const row = await assess(run, expected, { scenario: 'baseline (no fault)', recoverSeconds: recover });
      row.notes = `${[...expected.values()].filter((c) => c === 'sms').length} sms, ${[...expected.values()].filter((c) => c === 'ringless_voice').length} voice`;
      report(row);
      if (row.lost + row.duplicated + row.creditsOver + row.stuck + row.uncertain > 0 || expected.size < 20) {
        throw new Error(`the clean run is not clean: ${JSON.stringify(row)}`);
      }
      writeFileSync(file, JSON.stringify([...expected]));
    } finally {
      await run.close();
    }
  }
  return new Map(JSON.parse(readFileSync(file, 'utf8')) as [string, Channel][]);
}

/** Compares a finished (or given up) run with the clean one and measures what the row reports. */
export async function assess(
  run: TenantWorld, expected: Map<string, Channel>, row: { scenario: string; requeueSeconds?: number | null; recoverSeconds: number | null; notes?: string },
): Promise<FaultRow> {
  const contacts = await liveContacts(run);
  const problems: string[] = [];
  let lost = 0;
  let uncertain = 0;
  for (const [key, channel] of expected) {
    const held = contacts.get(key)?.[0];
    if (held?.status === 'uncertain') uncertain++;
    else if (held?.status !== 'sent' || held.channel !== channel) {
      lost++;
      problems.push(`${key} ${channel} → ${held ? `${held.channel}:${held.status}` : 'none'}`);
    }
  }
  const unexpected = [...contacts.keys()].filter((key) => !expected.has(key));
  const doubles = [...contacts.values()].reduce((sum, held) => sum + held.length - 1, 0);
  const duplicated = doubles + providerDuplicates(run);
  const creditsOver = await creditsOverspent(run);
  const stuck = await stuckCount(run.sql);
  const notes = [
    row.notes, unexpected.length ? `unexpected contacts ${unexpected.length}: ${unexpected.slice(0, 3).join(' ')}` : '',
    problems.length ? `lost: ${problems.slice(0, 3).join('; ')}` : '', run.crashes ? `${run.crashes} worker crash(es)` : '',
  ].filter(Boolean).join('; ');
  return {
    scenario: row.scenario, expected: expected.size, lost: lost + unexpected.length, duplicated, creditsOver, stuck, uncertain,
    requeueSeconds: row.requeueSeconds ?? null, recoverSeconds: row.recoverSeconds, notes,
  };
}

/** Provider calls accepted more than once for one (account, recipient). */
export function providerDuplicates(run: FaultWorld): number {
  const calls = new Map<string, number>();
  for (const s of run.sms.sent) calls.set(`sms:${s.apikey}:${s.recipients}`, (calls.get(`sms:${s.apikey}:${s.recipients}`) ?? 0) + 1);
  // Voice Partner's key is the platform's: the recipient alone names the contact (only one account has voice).
  // A campaign carries up to 500 numbers: each number accepted is one call to its recipient.
  for (const n of run.voice.campaigns.flatMap((c) => c.numbers)) calls.set(`voice:${n}`, (calls.get(`voice:${n}`) ?? 0) + 1);
  return [...calls.values()].reduce((sum, n) => sum + Math.max(0, n - 1), 0);
}

/**
 * Balances (account × metered channel) that went negative, or consumed more than the provider
 * accepted for the account (consumed = the balance given at seeding − the balance now).
 */
export async function creditsOverspent(run: FaultWorld): Promise<number> {
  const rows = await run.sql<{ id: string; sms: number; sms_reserved: number; voice: number; voice_reserved: number }[]>`
    select account_id as id, sms, sms_reserved, ringless_voice as voice, ringless_voice_reserved as voice_reserved from credit_balances`;
  const voicePhones = await run.sql<{ account_id: string; recipient_phone: string }[]>`
    select distinct account_id, recipient_phone from messages where channel = 'ringless_voice'`;
  let over = 0;
  for (const r of rows) {
    const given = run.accounts.get(r.id);
    if (!given) continue;
    const smsAccepted = run.sms.sent.filter((s) => s.apikey === given.smsKey).length;
    const phones = new Set(voicePhones.filter((p) => p.account_id === r.id).map((p) => p.recipient_phone));
    const voiceAccepted = run.voice.campaigns.flatMap((c) => c.numbers).filter((n) => phones.has(n)).length;
    if (r.sms < 0 || r.sms_reserved < 0 || given.sms - r.sms > smsAccepted) over++;
    if (r.voice < 0 || r.voice_reserved < 0 || given.voice - r.voice > voiceAccepted) over++;
  }
  return over;
}

/** Messages still pending/sending, hunts still running, and the run if it is not completed. */
export async function stuckCount(sql: WorkerContext['sql']): Promise<number> {
  const state = await runState(sql);
  return state.active + state.huntsRunning + (state.run === 'completed' ? 0 : 1);
}

/** Prints and records the row (the global teardown prints every row again, together). */
export function report(row: FaultRow): FaultRow {
  writeRow(suiteDir(), row);
  return row;
}
