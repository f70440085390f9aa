// Prometheus metrics. Job outcomes are counted where jobs end (the job boundary); business totals
// (contacts, credits, Lobstr ads, daily run, uncertain messages) are read from Postgres and the
// schedulers from Redis at scrape time, so every replica reports the same truth; queue depth
// comes from BullMQ's own export.
import { Counter, Gauge, Histogram, Registry } from 'prom-client';
import { businessTotals } from '@auto-prospect/core';
import type { Sql } from '@auto-prospect/core/clients';
import type { Queues } from './jobs/queues.js';
import { mergeExpositions } from './merge-expositions.js';
import type { Schedulers } from './jobs/schedulers.js';

export interface Metrics {
  registry: Registry;
  jobDuration: Histogram<'queue' | 'name'>;
  jobsTotal: Counter<'queue' | 'status' | 'error_code'>;
  providerCalls: Histogram<'provider' | 'outcome'>;
  /** Prometheus text: registry metrics plus BullMQ's queue counts. */
  render(): Promise<string>;
}

/** Job outcome metrics, observed where jobs end. */
function createJobMetrics(registry: Registry): Pick<Metrics, 'jobDuration' | 'jobsTotal' | 'providerCalls'> {
  const jobDuration = new Histogram({
    name: 'auto_prospect_job_duration_seconds',
    help: 'Time a job attempt ran, by queue and job name.',
    labelNames: ['queue', 'name'],
    buckets: [0.01, 0.05, 0.1, 0.5, 1, 5, 15, 60, 300],
    registers: [registry],
  });
  const jobsTotal = new Counter({
    name: 'auto_prospect_jobs_total',
    help: 'Job attempts that ended, by queue, status and error code.',
    labelNames: ['queue', 'status', 'error_code'],
    registers: [registry],
  });
  const providerCalls = new Histogram({
    name: 'auto_prospect_provider_call_seconds',
    help: 'Provider send calls by provider and outcome (accepted or the error code).',
    labelNames: ['provider', 'outcome'],
    buckets: [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 20],
    registers: [registry],
  });
  return { jobDuration, jobsTotal, providerCalls };
}

/** The business gauges, set from Postgres at scrape time. */
function createBusinessGauges(registry: Registry) {
  const gauge = (name: string, help: string, labelNames: string[] = []) =>
    new Gauge({ name, help, labelNames, registers: [registry] });
  return {
    contacts: gauge('auto_prospect_contacts', "Messages of today's local day by channel and status.", [
      'channel',
      'status',
    ]),
    feedback: gauge(
      'auto_prospect_contacts_feedback',
      "Messages of today's local day that were delivered, read or replied to, by channel.",
      ['channel', 'feedback'],
    ),
    credits: gauge('auto_prospect_credits_consumed', 'Credits consumed today, by channel.', ['channel']),
    lobstrAds: gauge('auto_prospect_lobstr_ads', 'Ads of Lobstr runs finished today, by outcome.', ['outcome']),
    lastRun: gauge('auto_prospect_daily_run_duration_seconds', 'Duration of the last completed daily run.'),
    unfinishedRun: gauge(
      'auto_prospect_daily_run_unfinished_seconds',
      'How long the oldest daily run not yet completed has been running (0: none). Alert when it is late.',
    ),
    uncertain: gauge(
      'auto_prospect_messages_uncertain',
      'Messages whose send outcome is unknown (the provider may have them), waiting for an operator.',
    ),
  };
}

type BusinessGauges = ReturnType<typeof createBusinessGauges>;
type BusinessTotals = Awaited<ReturnType<typeof businessTotals>>;

/** Sets the business gauges from one read of Postgres. */
function setBusinessGauges(business: BusinessGauges, totals: BusinessTotals): void {
  for (const g of [business.contacts, business.feedback, business.credits]) g.reset();
  for (const r of totals.contacts) business.contacts.set({ channel: r.channel, status: r.status }, r.n);
  for (const r of totals.feedback)
    for (const feedback of ['delivered', 'read', 'replied'] as const)
      business.feedback.set({ channel: r.channel, feedback }, r[feedback]);
  for (const r of totals.creditsConsumed) business.credits.set({ channel: r.channel }, r.n);
  for (const outcome of ['saved', 'updated', 'rejected'] as const)
    business.lobstrAds.set({ outcome }, totals.lobstrAds[outcome]);
  business.lastRun.set(totals.lastDailyRunSeconds);
  business.unfinishedRun.set(totals.unfinishedDailyRunSeconds);
  business.uncertain.set(totals.uncertainMessages);
}

/** Whether each job scheduler exists in Redis, read at scrape time. */
function registerSchedulerGauge(registry: Registry, schedulers: Schedulers): void {
  new Gauge({
    name: 'auto_prospect_job_scheduler_present',
    help: 'Whether each repeatable job scheduler exists in Redis (0: lost, restored within about a second).',
    labelNames: ['scheduler'],
    registers: [registry],
    async collect() {
      for (const [scheduler, present] of Object.entries(await schedulers.present()))
        this.set({ scheduler }, present ? 1 : 0);
    },
  });
}

/** BullMQ's queue counts, in Prometheus text. */
async function renderQueueCounts(queues: Queues): Promise<string> {
  const expositions = await Promise.all(Object.values(queues).map((q) => q.exportPrometheusMetrics()));
  // BullMQ names its gauge `bullmq_job_count`, a suffix Prometheus keeps for histograms and
  // summaries (promtool refuses it): exported as `bullmq_jobs`, same labels.
  return mergeExpositions(expositions).replace(/\bbullmq_job_count\b/g, 'bullmq_jobs');
}

export function createMetrics(deps: { sql: Sql; queues: Queues; schedulers: Schedulers; timeZone: string }): Metrics {
  const registry = new Registry();
  const jobMetrics = createJobMetrics(registry);
  const business = createBusinessGauges(registry);
  registerSchedulerGauge(registry, deps.schedulers);
  return {
    registry,
    ...jobMetrics,
    async render() {
      setBusinessGauges(business, await businessTotals(deps.sql, deps.timeZone));
      const bullmq = await renderQueueCounts(deps.queues);
      return `${await registry.metrics()}\n${bullmq}\n`;
    },
  };
}
