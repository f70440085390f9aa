import { TIMEOUTS_MS, type Logger } from '@auto-prospect/core';
import type { Readiness } from '../readiness.js';

/** Postgres answers that waiting cannot fix: no such database, wrong credentials, no such role. */
const POSTGRES_SETUP_ERRORS = new Set(['3D000', '28P01', '28000']);

/**
 * Workers only start once Redis and Postgres answer (bounded: the supervisor restarts us). A
 * wrong database or credentials will not come right by waiting: said at once, with the fix.
 */
export async function waitForDependencies(readiness: Readiness, logger: Logger): Promise<void> {
  const started = Date.now();
  for (;;) {
    const report = await readiness.dependencies();
    if (report.ready) return;
    const postgres = report.checks.postgres;
    if (postgres?.code && POSTGRES_SETUP_ERRORS.has(postgres.code)) {
      throw new Error(
        `postgres: ${postgres.error ?? postgres.code}; fix DATABASE_URL, ` +
          'or create the database (createdb) and run `pnpm db:migrate`',
      );
    }
    if (Date.now() - started > TIMEOUTS_MS.dependenciesAtBoot)
      throw new Error(`dependencies not ready: ${report.failing.join(', ')}`);
    // Connections take a moment to open: only a wait that lasts is worth a warning.
    if (Date.now() - started > 2_000) logger.warn({ failing: report.failing }, 'waiting for dependencies');
    await new Promise((r) => setTimeout(r, 500));
  }
}
