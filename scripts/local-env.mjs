// Where the service's connection URLs come from, for every local command, one rule: the explicit
// environment, then the .env file the command's service reads, then the local defaults.
import { existsSync, readFileSync } from 'node:fs';
import { parseEnv } from 'node:util';

const LOCAL_DEFAULTS = {
  REDIS_URL: 'redis://127.0.0.1:6379',
  DATABASE_URL: 'postgres://postgres@127.0.0.1:5432/autoprospect',
};

/** The connection variables to bring services up for and pass on, by that precedence. */
export function localConnections(environment, envFile) {
  const fromFile = envFile && existsSync(envFile) ? parseEnv(readFileSync(envFile, 'utf8')) : {};
  return Object.fromEntries(
    Object.entries(LOCAL_DEFAULTS).map(([name, fallback]) => [name, environment[name] || fromFile[name] || fallback]),
  );
}
