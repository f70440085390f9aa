// Prometheus metrics. Job outcomes are counted where jobs end (the job boundary); business totals
// (contacts, credits, Lobstr ads, daily run, uncertain messages) are read from Postgres and the
// schedulers from Redis at scrape time, so every replica reports the same truth; queue depth
// comes from BullMQ's own export.
import { Counter, Gauge, Histogram, Registry } from 'prom-client';
import { localDateOf, oldestUnfinishedDailyRun } from '@auto-prospect/core';
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

export function createMetrics(deps: { sql: Sql; queues: Queues; schedulers: Schedulers; timeZone: string }): Metrics {
  const registry = new Registry();
  const jobDuration = new Histogram({
    name: 'auto_prospect_job_duration_seconds', help: 'Time a job attempt ran, by queue and job name.',
    labelNames: ['queue', 'name'], buckets: [0.01, 0.05, 0.1, 0.5, 1, 5, 15, 60, 300], registers: [registry],
  });
  const jobsTotal = new Counter({
    name: 'auto_prospect_jobs_total', help: 'Job attempts that ended, by queue, status and error code.',
    labelNames: ['queue', 'status', 'error_code'], registers: [registry],
  });
  const providerCalls = new Histogram({
    name: 'auto_prospect_provider_call_seconds', help: 'Provider send calls by provider and outcome (accepted or the error code).',
    labelNames: ['provider', 'outcome'], buckets: [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 20], registers: [registry],
  });
  // The local day starts at local midnight: `<date>::timestamp at time zone <zone>` in SQL.
  const today = () => localDateOf(new Date(), deps.timeZone);
  new Gauge({
    name: 'auto_prospect_contacts', help: "Messages of today's local day by channel and status.", labelNames: ['channel', 'status'], registers: [registry],
    async collect() {
      this.reset();
      const rows = await deps.sql<{ channel: string; status: string; n: number }[]>`
        select channel, status, count(*)::int as n from messages where local_date = ${today()} group by channel, status`;
      for (const r of rows) this.set({ channel: r.channel, status: r.status }, r.n);
    },
  });
  new Gauge({
    name: 'auto_prospect_contacts_feedback', help: "Messages of today's local day that were delivered, read or replied to, by channel.",
    labelNames: ['channel', 'feedback'], registers: [registry],
    async collect() {
      this.reset();
      const rows = await deps.sql<{ channel: string; delivered: number; read: number; replied: number }[]>`
        select channel, count(delivered_at)::int as delivered, count(read_at)::int as read, count(replied_at)::int as replied
        from messages where local_date = ${today()} group by channel`;
      for (const r of rows) for (const feedback of ['delivered', 'read', 'replied'] as const) this.set({ channel: r.channel, feedback }, r[feedback]);
    },
  });
  new Gauge({
    name: 'auto_prospect_credits_consumed', help: "Credits consumed today, by channel.", labelNames: ['channel'], registers: [registry],
    async collect() {
      this.reset();
      const rows = await deps.sql<{ channel: string; n: number }[]>`
        select channel, count(*)::int as n from credit_transactions where type = 'usage' and created_at >= ${today()}::timestamp at time zone ${deps.timeZone} group by channel`;
      for (const r of rows) this.set({ channel: r.channel }, r.n);
    },
  });
  new Gauge({
    name: 'auto_prospect_lobstr_ads', help: 'Ads of Lobstr runs finished today, by outcome.', labelNames: ['outcome'], registers: [registry],
    async collect() {
      const [r] = await deps.sql<{ saved: number; updated: number; rejected: number }[]>`
        select coalesce(sum(ads_saved), 0)::int as saved, coalesce(sum(ads_updated), 0)::int as updated, coalesce(sum(ads_rejected), 0)::int as rejected
        from lobstr_runs where received_at >= ${today()}::timestamp at time zone ${deps.timeZone}`;
      for (const outcome of ['saved', 'updated', 'rejected'] as const) this.set({ outcome }, r![outcome]);
    },
  });
  new Gauge({
    name: 'auto_prospect_daily_run_duration_seconds', help: 'Duration of the last completed daily run.', registers: [registry],
    async collect() {
      const [r] = await deps.sql<{ ms: number | null }[]>`select duration_ms as ms from daily_runs where status = 'completed' order by local_date desc limit 1`;
      this.set((r?.ms ?? 0) / 1000);
    },
  });

  new Gauge({
    name: 'auto_prospect_daily_run_unfinished_seconds', help: 'How long the oldest daily run not yet completed has been running (0: none). Alert when it is late.',
    registers: [registry],
    async collect() {
      this.set((await oldestUnfinishedDailyRun(deps.sql))?.runningSeconds ?? 0);
    },
  });
  new Gauge({
    name: 'auto_prospect_messages_uncertain', help: 'Messages whose send outcome is unknown (the provider may have them), waiting for an operator.',
    registers: [registry],
    async collect() {
      const [r] = await deps.sql<{ n: number }[]>`select count(*)::int as n from messages where status = 'uncertain'`;
      this.set(r!.n);
    },
  });
  new Gauge({
    name: 'auto_prospect_job_scheduler_present', help: 'Whether each repeatable job scheduler exists in Redis (0: lost, restored within a sweep period).',
    labelNames: ['scheduler'], registers: [registry],
    async collect() {
      for (const [scheduler, present] of Object.entries(await deps.schedulers.present())) this.set({ scheduler }, present ? 1 : 0);
    },
  });

  return {
    registry, jobDuration, jobsTotal, providerCalls,
    async render() {
      const queues = await Promise.all(Object.values(deps.queues).map((q) => q.exportPrometheusMetrics()));
      // BullMQ names its gauge `bullmq_job_count`, a suffix Prometheus keeps for histograms and
      // summaries (promtool refuses it): exported as `bullmq_jobs`, same labels.
      const bullmq = mergeExpositions(queues).replace(/\bbullmq_job_count\b/g, 'bullmq_jobs');
      return `${await registry.metrics()}\n${bullmq}\n`;
    },
  };
}
