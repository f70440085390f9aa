import type { Worker } from 'bullmq';
import type { RedisClient } from '@auto-prospect/core/clients';
import { oldestUnfinishedDailyRun, TIMEOUTS_MS, within, type Logger } from '@auto-prospect/core';
import type { Sql } from '@auto-prospect/core/clients';
import type { Schedulers } from './jobs/schedulers.js';

export interface CheckResult {
  ok: boolean;
  error?: string;
  /** The driver's error code (Postgres SQLSTATE such as 3D000), when it gave one. */
  code?: string;
}

export interface ReadinessReport {
  ready: boolean;
  /** Names of the checks that failed, e.g. ["redis"]. */
  failing: string[];
  checks: Record<string, CheckResult>;
  /**
   * What needs a person but that no restart fixes (a late daily run, a job scheduler missing):
   * named here and logged at warn, without taking the process out of service.
   */
  warnings: string[];
}

export interface Readiness {
  /** Dependencies and workers, then the warnings. */
  check(): Promise<ReadinessReport>;
  /** Dependencies and workers only (at boot, before the schedulers exist). */
  dependencies(): Promise<Omit<ReadinessReport, 'warnings'>>;
}

type Probe = () => Promise<unknown>;

async function probe(run: Probe): Promise<CheckResult> {
  try {
    await within(TIMEOUTS_MS.healthCheck, run(), () => new Error(`no answer within ${TIMEOUTS_MS.healthCheck} ms`));
    return { ok: true };
  } catch (err) {
    const code = (err as { code?: unknown }).code;
    return {
      ok: false,
      error: err instanceof Error ? err.message : String(err),
      ...(typeof code === 'string' ? { code } : {}),
    };
  }
}

/** The day's work at risk: a run open far too long, schedulers that Redis lost (restored each sweep period). */
async function warningsOf(sql: Sql, schedulers: Schedulers): Promise<string[]> {
  const [run, present] = await Promise.all([oldestUnfinishedDailyRun(sql), schedulers.present()]);
  const warnings = Object.entries(present)
    .filter(([, found]) => !found)
    .map(([id]) => `job scheduler ${id} is missing`);
  if (run && run.runningSeconds * 1000 > TIMEOUTS_MS.dailyRunLate) {
    warnings.unshift(
      `daily run of ${run.localDate} is late: ` +
        `still not complete ${Math.round(run.runningSeconds / 60)} min after it began`,
    );
  }
  return warnings;
}

/**
 * Readiness of Redis, Postgres and every worker this process started (named `worker:<queue>`),
 * with the warnings of the day's work once they answer.
 */
export function createReadiness(deps: {
  redis: RedisClient;
  sql: Sql;
  workers: () => readonly Worker[];
  schedulers: Schedulers;
  logger: Logger;
}): Readiness {
  const probes: Record<string, Probe> = {
    redis: () => deps.redis.ping(),
    postgres: () => deps.sql`select 1`,
  };
  // Probes come every few seconds: a warning is logged when it appears, not at every probe.
  let logged = new Set<string>();
  const logNew = (warnings: string[]) => {
    for (const warning of warnings) if (!logged.has(warning)) deps.logger.warn({ warning }, 'readiness warning');
    logged = new Set(warnings);
  };
  async function dependencies(): Promise<Omit<ReadinessReport, 'warnings'>> {
    const names = Object.keys(probes);
    const results = await Promise.all(names.map((name) => probe(probes[name]!)));
    const checks: Record<string, CheckResult> = Object.fromEntries(names.map((name, i) => [name, results[i]!]));
    for (const worker of deps.workers()) {
      checks[`worker:${worker.name}`] = worker.isRunning() ? { ok: true } : { ok: false, error: 'not running' };
    }
    const failing = Object.keys(checks).filter((name) => !checks[name]!.ok);
    return { ready: failing.length === 0, failing, checks };
  }
  return {
    dependencies,
    async check() {
      const report = await dependencies();
      // Read from the dependencies just checked: only when they answer.
      const warnings = report.ready
        ? await warningsOf(deps.sql, deps.schedulers).catch((err: unknown) => [
            `warnings unavailable: ${err instanceof Error ? err.message : String(err)}`,
          ])
        : [];
      logNew(warnings);
      return { ...report, warnings };
    },
  };
}
