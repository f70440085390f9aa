// Writing an outcome the process already holds (the provider answered) must survive Postgres being
// briefly away (a restart, a failover): otherwise the row stays `sending` and the next attempt can
// only call it `uncertain`. Connection failures are retried with backoff for about half a minute;
// any other error (a constraint, a bug) is not.
import pRetry from 'p-retry';
import postgres from 'postgres';

/** SQLSTATE classes of a database that is away: 08 connection exception, 57 operator intervention. */
const AWAY_CLASSES = ['08', '57'];

function isDatabaseAway(err: unknown): boolean {
  if (err instanceof postgres.PostgresError) return AWAY_CLASSES.some((c) => err.code.startsWith(c));
  // The driver's own errors: refused or reset connections, timeouts, closed sockets.
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === 'string' && /^(ECONN|EPIPE|ETIMEDOUT|EHOSTUNREACH|CONNECT_TIMEOUT|CONNECTION_)/.test(code);
}

export function whileDatabaseAway<T>(write: () => Promise<T>): Promise<T> {
  return pRetry(write, {
    retries: 20,
    minTimeout: 200,
    maxTimeout: 3_000,
    maxRetryTime: 30_000,
    shouldRetry: ({ error }) => isDatabaseAway(error),
  });
}
