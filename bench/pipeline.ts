// bench/pipeline: contacts per second end to end — a hunt's allocation, its SMS channel jobs, a
// fake SMSMobileAPI on loopback and the ledger (sent, credit consumed, lead) — against bare
// BullMQ no-op jobs through a worker of the same concurrency, in the same process.
import { randomBytes } from 'node:crypto';
import { Queue, Worker } from 'bullmq';
import { Redis } from 'ioredis';
import { createLogger, encryptSecret, JOBS, parseEnv, WORKER_SETTINGS } from '@auto-prospect/core';
import { startFakeSmsMobileApi, testEnv } from '@auto-prospect/testkit';
import { createContext } from '@auto-prospect/worker/context';
import { withBenchDatabase } from './support/bench-database.js';

// One hunt's day at most (LIMITS.huntCandidatesMax).
const CONTACTS = 1_000;

await withBenchDatabase(async (url) => {
  const sms = await startFakeSmsMobileApi();
  const prefix = `bench${randomBytes(4).toString('hex')}`;
  const env = parseEnv(testEnv({ DATABASE_URL: url, QUEUE_PREFIX: prefix, SMSMOBILEAPI_BASE_URL: sms.url, SMS_MIN_GAP_SECONDS: '0' }));
  const context = createContext(env, createLogger('silent'));
  const redis = new Redis(env.REDIS_URL, { maxRetriesPerRequest: null });
  const concurrency = WORKER_SETTINGS.sms?.concurrency ?? 1;
  try {
    // Baseline: the same number of jobs through a worker that does nothing.
    const bare = new Queue('bare-noop', { connection: redis, prefix });
    const bareStarted = performance.now();
    let done = 0;
    let allDone!: () => void;
    const finished = new Promise<void>((resolve) => (allDone = resolve));
    const worker = new Worker('bare-noop', () => {
      if (++done === CONTACTS) allDone();
      return Promise.resolve();
    }, { connection: redis, prefix, concurrency });
    for (let i = 0; i < CONTACTS; i += 500) {
      await bare.addBulk(Array.from({ length: Math.min(500, CONTACTS - i) }, (_, k) => ({ name: JOBS.sendMessage, data: { n: i + k } })));
    }
    await finished;
    const bareRate = CONTACTS / ((performance.now() - bareStarted) / 1000);
    await worker.close();
    await bare.obliterate({ force: true });
    await bare.close();

    const { sql } = context;
    const [account] = await sql<{ id: string }[]>`
      insert into accounts (email, sms_api_key) values ('bench@example.com', ${encryptSecret('bench-key', env.SMS_API_KEY_ENCRYPTION_KEY)}) returning id`;
    sms.keys.set('bench-key', 'valid');
    await sql`insert into credit_balances (account_id, sms) values (${account!.id}, ${CONTACTS})`;
    const [template] = await sql<{ id: string }[]>`
      insert into message_templates (account_id, name, channel, content) values (${account!.id}, 't', 'sms', 'Bonjour {vendeur_nom}, {titre_annonce} à {prix}') returning id`;
    await sql`
      insert into ads (original_ad_id, type_id, phone_number, has_phone, title, owner_name, price)
      select 'bench' || n, (select id from ad_types where lobstr_value = 'Voiture'), '+33612' || lpad(n::text, 6, '0'), true, 'Clio', 'Jean', 9000
      from generate_series(1, ${CONTACTS}) n`;
    await sql`
      insert into hunts (account_id, name, type_id, daily_pacing_limit, outreach_settings, template_ids)
      values (${account!.id}, 'bench', (select id from ad_types where lobstr_value = 'Voiture'), ${CONTACTS}, ${sql.json({ sms: true })}, ${sql.json({ sms: template!.id })})`;

    await context.start();
    const started = performance.now();
    await context.queues.fetchActiveHunts.add(JOBS.startDailyRun, { localDate: '2026-11-30' });
    const deadline = Date.now() + 120_000;
    for (;;) {
      const [row] = await sql<{ n: number }[]>`select count(*)::int as n from messages where status = 'sent'`;
      if (row!.n >= CONTACTS) break;
      if (Date.now() > deadline) throw new Error(`only ${row!.n} of ${CONTACTS} contacts sent within 2 minutes`);
      await new Promise((r) => setTimeout(r, 50));
    }
    const rate = CONTACTS / ((performance.now() - started) / 1000);
    console.log(`pipeline: ${rate.toFixed(0)} contacts/s end to end vs ${bareRate.toFixed(0)} no-op jobs/s (${CONTACTS}, concurrency ${concurrency}) → ratio ${(rate / bareRate).toFixed(2)}`);
  } finally {
    await context.close();
    redis.disconnect();
    await sms.close();
  }
});
