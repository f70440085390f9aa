// bench/pipeline: contacts per second end to end — hunt allocation, SMS channel jobs, a fake
// SMSMobileAPI on loopback and the ledger (sent, credit consumed, lead) — against the fastest
// thing that does the same outside work: a bare BullMQ job that makes the same HTTP call to the
// same fake and one single-row UPDATE, at the same worker concurrency, in the same process.
// Each side runs for at least MIN_SECONDS per round; the median of ROUNDS rounds is reported.
// Also: the allocation transaction's time per contact for a 1,000-contact hunt.
import { Queue, Worker, type Job } from 'bullmq';
import { Redis } from 'ioredis';
import type postgres from 'postgres';
import {
  allocateHuntDay,
  createLogger,
  encryptSecret,
  JOB_IDS,
  JOB_OPTIONS,
  JOBS,
  loadHuntPlan,
  QUEUES,
  parseEnv,
  sendingWindow,
  WORKER_SETTINGS,
} from '@auto-prospect/core';
import { createTestQueuePrefix, startFakeSmsMobileApi, testEnv, type FakeSmsMobileApi } from '@auto-prospect/testkit';
import { createContext, type WorkerContext } from '@auto-prospect/worker/context';
import { withBenchDatabase } from './support/bench-database.js';
import { jobsDone, until } from './support/progress.js';

const MIN_SECONDS = 10;
const ROUNDS = 3;
/** One hunt's day at most (LIMITS.huntCandidatesMax): the batch every scenario sends at a time. */
const BATCH = 1_000;
/**
 * Ads a scenario's round may contact, inserted before its clock starts (ingesting ads is not part
 * of what is timed): at twice the baseline's best rate here, more than its MIN_SECONDS need.
 */
const AD_BATCHES_PER_ROUND = Math.ceil((2 * 1_000 * MIN_SECONDS) / BATCH);
const concurrency = WORKER_SETTINGS.sms?.concurrency ?? 1;
const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;

interface Dealer {
  accountId: string;
  smsKey: string;
  huntId: string;
}

/** `count` SMS dealers with one hunt each over ads of their own brand; credits for the whole bench. */
async function seedDealers(
  sql: postgres.Sql,
  env: { SMS_API_KEY_ENCRYPTION_KEY: string },
  sms: FakeSmsMobileApi,
  brand: string,
  count: number,
  limit: number,
): Promise<Dealer[]> {
  const dealers: Dealer[] = [];
  for (let i = 0; i < count; i++) {
    const smsKey = `bench-${brand}-${i}`;
    sms.keys.set(smsKey, 'valid');
    const [account] = await sql<{ id: string }[]>`
      insert into accounts (email, sms_api_key)
      values (${`${smsKey}@example.com`}, ${encryptSecret(smsKey, env.SMS_API_KEY_ENCRYPTION_KEY)}) returning id`;
    await sql`insert into credit_balances (account_id, sms) values (${account!.id}, 1000000)`;
    const [template] = await sql<{ id: string }[]>`
      insert into message_templates (account_id, name, channel, content)
      values (${account!.id}, 't', 'sms', 'Bonjour {vendeur_nom}, {titre_annonce} à {prix}') returning id`;
    const [hunt] = await sql<{ id: string }[]>`
      insert into hunts (account_id, name, type_id, daily_pacing_limit, outreach_settings, template_ids)
      values (${account!.id}, 'bench', (select id from ad_types where lobstr_value = 'Voiture'), ${limit},
              ${sql.json({ sms: true })}, ${sql.json({ sms: template!.id })})
      returning id`;
    await sql`
      insert into brands_hunts (hunt_id, brand_id) select ${hunt!.id}, id from brands where lobstr_value = ${brand}`;
    dealers.push({ accountId: account!.id, smsKey, huntId: hunt!.id });
  }
  return dealers;
}

let adSerial = 0;
/** `batches` × BATCH new ads of the brand, newer than every earlier one, each with its own mobile phone. */
async function addAds(sql: postgres.Sql, brand: string, batches: number): Promise<void> {
  const first = adSerial;
  adSerial += batches * BATCH;
  await sql`
    insert into ads (original_ad_id, type_id, brand_id, phone_number, has_phone, title, owner_name, price,
                     last_publication_date)
    select 'bench-' || n, (select id from ad_types where lobstr_value = 'Voiture'),
           (select id from brands where lobstr_value = ${brand}),
           '+3361' || lpad(n::text, 7, '0'), true, 'Clio', 'Jean', 9000, '2026-01-01'::date + (n / ${BATCH})::int
    from generate_series(${first}::int, ${adSerial - 1}::int) n`;
  await sql`analyze ads`;
}

let day = 0;
const nextLocalDate = () => new Date(Date.UTC(2027, 0, 1 + day++)).toISOString().slice(0, 10);

async function sentCount(sql: postgres.Sql, dealers: Dealer[]): Promise<number> {
  const accountIds = dealers.map((d) => d.accountId);
  const [row] = await sql<{ n: number }[]>`
    select count(*)::int as n from messages
    where status = 'sent' and account_id = any(${sql.array(accountIds)}::uuid[])`;
  return row!.n;
}

/**
 * Sustained contacts per second: batches of BATCH contacts (the dealers' hunts for a new day, each
 * taking the newest ads it has not contacted), the next one planned while the previous one is
 * sent, for at least MIN_SECONDS.
 */
async function pipelineRate(
  context: WorkerContext,
  sms: FakeSmsMobileApi,
  brand: string,
  dealers: Dealer[],
): Promise<number> {
  const huntWorker = context.workers.find((w) => w.name === QUEUES.processHunt)!;
  const firstCall = sms.sent.length;
  const recordedBefore = await sentCount(context.sql, dealers);
  const calls = () => sms.sent.length - firstCall;
  await addAds(context.sql, brand, AD_BATCHES_PER_ROUND);
  let contacts = 0;
  const started = performance.now();
  while (performance.now() - started < MIN_SECONDS * 1000) {
    const localDate = nextLocalDate();
    const jobIds = dealers.map((d) => JOB_IDS.manualHunt(d.huntId, localDate));
    const planned = jobsDone(huntWorker, jobIds);
    await context.queues.processHunt.addBulk(
      dealers.map((d, i) => ({
        name: JOBS.processHunt,
        data: { huntId: d.huntId, localDate, dailyRunId: null },
        opts: { jobId: jobIds[i]! },
      })),
    );
    contacts += BATCH;
    // Planned and dispatched, and the batch before it sent: never more than two batches in flight.
    const results = (await planned) as { contactsPlanned: number }[];
    if (results.reduce((sum, r) => sum + r.contactsPlanned, 0) !== BATCH)
      throw new Error(`a batch planned less than ${BATCH} contacts: the round ran out of ads`);
    await until(() => calls() >= contacts - BATCH);
  }
  // The fake counts calls in memory: wait on it, then on the ledger, so polling does not compete with the work.
  await until(() => calls() >= contacts);
  await until(async () => (await sentCount(context.sql, dealers)) >= recordedBefore + contacts);
  return contacts / ((performance.now() - started) / 1000);
}

/** The same HTTP call to the same fake and one single-row UPDATE per job, at the same concurrency. */
async function baselineRate(redis: Redis, prefix: string, sql: postgres.Sql, sms: FakeSmsMobileApi): Promise<number> {
  sms.keys.set('bench-baseline', 'valid');
  // A different row for each job in flight, as each contact has its own: no lock waits between them.
  const rows = (await sql<{ id: string }[]>`select id from messages limit ${BATCH}`).map((r) => r.id);
  if (rows.length === 0) throw new Error('the baseline updates the pipeline’s messages, and there are none');
  // The same job options as the SMS queue's jobs (attempts, backoff, retention): BullMQ does the same work.
  const queue = new Queue('bench-baseline', { connection: redis, prefix, defaultJobOptions: { ...JOB_OPTIONS.sms } });
  let done = 0;
  const worker = new Worker(
    'bench-baseline',
    async (job: Job<{ n: number }>) => {
      const response = await fetch(`${sms.url}/sendsms/`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({
          apikey: 'bench-baseline',
          recipients: '+33612345678',
          message: 'Bonjour Jean, Clio à 9 000 €',
        }),
      });
      await response.json();
      await sql`update messages set updated_at = now() where id = ${rows[job.data.n % rows.length]!}`;
      done++;
    },
    { connection: redis, prefix, concurrency },
  );
  let failure: Error | undefined;
  worker.on('failed', (_job, err) => (failure ??= err));
  const processed = (n: number) => {
    if (failure) throw failure;
    return done >= n;
  };
  let jobs = 0;
  let seconds = 0;
  const started = performance.now();
  try {
    // Fed like the pipeline: a batch is added once the one before the last is done.
    while (performance.now() - started < MIN_SECONDS * 1000) {
      await queue.addBulk(Array.from({ length: BATCH }, (_, k) => ({ name: JOBS.sendMessage, data: { n: jobs + k } })));
      jobs += BATCH;
      await until(() => processed(jobs - BATCH));
    }
    await until(() => processed(jobs));
    seconds = (performance.now() - started) / 1000;
  } finally {
    await worker.close();
    await queue.obliterate({ force: true });
    await queue.close();
  }
  return jobs / seconds;
}

/**
 * The allocation transaction of one dealer's 1,000-contact day (lock, candidates, waterfall,
 * messages and reservations, commit): ms per contact. Loading the hunt's plan and dispatching the
 * jobs are steps of their own, left out.
 */
async function allocationMsPerContact(context: WorkerContext, brand: string, dealer: Dealer): Promise<number> {
  await addAds(context.sql, brand, 1);
  await context.sql`analyze messages`;
  const plan = (await loadHuntPlan(context.sql, dealer.huntId, context.env.SMS_API_KEY_ENCRYPTION_KEY))!;
  const target = {
    huntId: dealer.huntId,
    accountId: dealer.accountId,
    localDate: nextLocalDate(),
    dailyRunId: null,
    whatsappDailyCap: 0,
  };
  const deps = {
    window: sendingWindow('always', 'Europe/Paris'),
    spacingMs: { sms: 0, whatsapp_text: 0, ringless_voice: 0 },
  };
  const started = performance.now();
  const { planned } = await context.sql.begin((tx) => allocateHuntDay(tx, deps, target, plan.channels));
  const ms = performance.now() - started;
  if (planned !== BATCH) throw new Error(`allocation planned ${planned} of ${BATCH}`);
  return ms / BATCH;
}

await withBenchDatabase(async (url) => {
  const sms = await startFakeSmsMobileApi();
  const queuePrefix = createTestQueuePrefix();
  const prefix = queuePrefix.prefix;
  const env = parseEnv(
    testEnv({ DATABASE_URL: url, QUEUE_PREFIX: prefix, SMSMOBILEAPI_BASE_URL: sms.url, SMS_MIN_GAP_SECONDS: '0' }),
  );
  const context = createContext(env, createLogger('silent'));
  const redis = new Redis(env.REDIS_URL, { maxRetriesPerRequest: null });
  try {
    const single = await seedDealers(context.sql, env, sms, 'Renault', 1, BATCH);
    const ten = await seedDealers(context.sql, env, sms, 'Peugeot', 10, BATCH / 10);
    const planner = await seedDealers(context.sql, env, sms, 'Toyota', 1, BATCH);
    await context.start();
    const rounds: { baseline: number; one: number; ten: number; allocation: number }[] = [];
    for (let round = 0; round < ROUNDS; round++) {
      // Planning first, on a database at rest: the pipelines' writes leave vacuum work behind.
      const allocation = await allocationMsPerContact(context, 'Toyota', planner[0]!);
      const one = await pipelineRate(context, sms, 'Renault', single);
      const spread = await pipelineRate(context, sms, 'Peugeot', ten);
      const baseline = await baselineRate(redis, prefix, context.sql, sms);
      rounds.push({ baseline, one, ten: spread, allocation });
    }
    const baseline = median(rounds.map((r) => r.baseline));
    const one = median(rounds.map((r) => r.one / r.baseline));
    const spread = median(rounds.map((r) => r.ten / r.baseline));
    console.log(
      `pipeline: baseline (HTTP call + one UPDATE per job, concurrency ${concurrency}) ${baseline.toFixed(0)} jobs/s`,
    );
    console.log(
      `pipeline: 1 account × ${BATCH} contacts per batch: ` +
        `${median(rounds.map((r) => r.one)).toFixed(0)} contacts/s, ratio ${one.toFixed(2)}`,
    );
    console.log(
      `pipeline: 10 accounts × ${BATCH / 10} contacts per batch: ` +
        `${median(rounds.map((r) => r.ten)).toFixed(0)} contacts/s, ratio ${spread.toFixed(2)}`,
    );
    console.log(
      `pipeline: allocation of a ${BATCH}-contact hunt: ` +
        `${median(rounds.map((r) => r.allocation)).toFixed(3)} ms per contact`,
    );
  } finally {
    await context.close();
    redis.disconnect();
    await sms.close();
    await queuePrefix.clear();
  }
});
