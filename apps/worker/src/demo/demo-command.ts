// `pnpm demo`: one whole daily run of the demo tenant through the real queues and workers, in
// dry-run mode (no provider is called) with sending windows off, then a summary.
import { setTimeout as sleep } from 'node:timers/promises';
import { createLogger, dailyRunReport, ensureDailyRun, localDateOf, type DailyRunReport } from '@auto-prospect/core';
import { createContext } from '../context.js';
import { dispatchDailyRun } from '../jobs/dispatch.js';
import { demoEnv } from './demo-env.js';

const env = demoEnv({ ...process.env, PORT: process.env.PORT ?? '0', HOST: '127.0.0.1' });
const context = createContext(env, createLogger(env.LOG_LEVEL));
const started = performance.now();

async function activeMessages(runId: string): Promise<number> {
  const [row] = await context.sql<{ n: number }[]>`
    select count(*)::int as n from messages where daily_run_id = ${runId} and status in ('pending', 'sending')`;
  return row!.n;
}

function printSummary(
  report: DailyRunReport,
  credits: { account: string; sms: number; smsReserved: number; voice: number; voiceReserved: number }[],
): void {
  const line = (...cells: (string | number)[]) => cells.map((c, i) => String(c).padEnd(i === 0 ? 18 : 10)).join(' ');
  const out: string[] = [
    `daily run ${report.id} for ${report.localDate}: ${report.status} ` +
      `in ${((performance.now() - started) / 1000).toFixed(1)} s (DRY_RUN: no provider called)`,
    `hunts: ${report.hunts.total} total, ${report.hunts.done} done, ${report.hunts.failed} failed`,
    '',
    line('channel', 'planned', 'dry-run', 'sent', 'failed', 'pending'),
    ...Object.entries(report.contacts).map(([channel, c]) =>
      line(channel, c.planned, c.dryRun, c.sent, c.failed, c.pending),
    ),
    '',
    line('account', 'sms', 'reserved', 'voice', 'reserved'),
    ...credits.map((c) => line(c.account, c.sms, c.smsReserved, c.voice, c.voiceReserved)),
    '',
    'skipped:',
    ...(Object.keys(report.skipped).length === 0
      ? ['  nothing']
      : Object.entries(report.skipped).map(([reason, n]) => `  ${reason}: ${n}`)),
  ];
  process.stdout.write(`${out.join('\n')}\n`);
}

try {
  await context.start();
  const localDate = localDateOf(new Date(), env.OUTREACH_TIMEZONE);
  const run = await ensureDailyRun(context.sql, localDate);
  const runId = run.id;
  await dispatchDailyRun(context.queues, localDate, run);
  const deadline = Date.now() + 120_000;
  let report = await dailyRunReport(context.sql, runId);
  let active = await activeMessages(runId);
  // Never silent: where the run stands every few seconds, and what is stuck if it gives up.
  const progress = () =>
    `run ${report?.status ?? 'missing'}, ` +
    `hunts ${report?.hunts.done ?? 0}+${report?.hunts.failed ?? 0} of ${report?.hunts.total ?? '?'}, ` +
    `${active} message(s) still to send`;
  let nextNote = Date.now() + 5_000;
  while ((report?.status !== 'completed' || active > 0) && Date.now() < deadline) {
    await sleep(250);
    [report, active] = [await dailyRunReport(context.sql, runId), await activeMessages(runId)];
    if (Date.now() > nextNote) {
      process.stderr.write(`demo: waiting (${progress()})\n`);
      nextNote = Date.now() + 5_000;
    }
  }
  if (!report || report.status !== 'completed' || active > 0) {
    throw new Error(`the daily run did not finish within 2 minutes (${progress()}); see the worker's log lines above`);
  }
  const credits = await context.sql<
    { account: string; sms: number; smsReserved: number; voice: number; voiceReserved: number }[]
  >`
    select a.name as account, b.sms, b.sms_reserved as "smsReserved",
           b.ringless_voice as voice, b.ringless_voice_reserved as "voiceReserved"
    from credit_balances b join accounts a on a.id = b.account_id order by a.name`;
  printSummary(report, credits);
} finally {
  await context.close();
}
