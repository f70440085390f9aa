import type { Worker } from 'bullmq';
import type { Redis } from 'ioredis';
import { TIMEOUTS_MS } from '@auto-prospect/core';
import type { Sql } from '@auto-prospect/core/clients';

export interface CheckResult {
  ok: boolean;
  error?: string;
}

export interface ReadinessReport {
  ready: boolean;
  /** Names of the checks that failed, e.g. ["redis"]. */
  failing: string[];
  checks: Record<string, CheckResult>;
}

export interface Readiness {
  check(): Promise<ReadinessReport>;
}

type Probe = () => Promise<unknown>;

async function probe(run: Probe): Promise<CheckResult> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${TIMEOUTS_MS.healthCheck} ms`)), TIMEOUTS_MS.healthCheck);
  });
  try {
    await Promise.race([run(), timeout]);
    return { ok: true };
  } catch (err) {
    return { ok: false, error: err instanceof Error ? err.message : String(err) };
  } finally {
    clearTimeout(timer);
  }
}

/** Readiness of Redis, Postgres and every worker this process started (named `worker:<queue>`). */
export function createReadiness(deps: { redis: Redis; sql: Sql; workers: () => readonly Worker[] }): Readiness {
  const probes: Record<string, Probe> = {
    redis: () => deps.redis.ping(),
    postgres: () => deps.sql`select 1`,
  };
  return {
    async check() {
      const names = Object.keys(probes);
      const results = await Promise.all(names.map((name) => probe(probes[name]!)));
      const checks: Record<string, CheckResult> = Object.fromEntries(names.map((name, i) => [name, results[i]!]));
      for (const worker of deps.workers()) {
        checks[`worker:${worker.name}`] = worker.isRunning() ? { ok: true } : { ok: false, error: 'not running' };
      }
      const failing = Object.keys(checks).filter((name) => !checks[name]!.ok);
      return { ready: failing.length === 0, failing, checks };
    },
  };
}
