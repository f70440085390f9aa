// Entry point of the service: configuration → connections → HTTP server, and a graceful stop.
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { ConfigError, createLogger, parseEnv, type Env } from '@auto-prospect/core';
import { createContext } from './context.js';
import { within } from './lifecycle.js';

function loadConfig(): Readonly<Env> {
  // A local .env is a convenience for development; deployments set real variables. It is the one
  // where pnpm was run (INIT_CWD): `pnpm dev` runs this in apps/worker, `pnpm start` at the root.
  const envFile = resolve(process.env.INIT_CWD ?? '.', '.env');
  if (existsSync(envFile)) process.loadEnvFile(envFile);
  try {
    return parseEnv(process.env);
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    process.stderr.write(`auto-prospect-worker: ${err.message}\n`);
    process.exit(1);
  }
}

const env = loadConfig();
const logger = createLogger(env.LOG_LEVEL);
const context = createContext(env, logger);

let stopping = false;
async function stop(signal: NodeJS.Signals): Promise<void> {
  if (stopping) return;
  stopping = true;
  logger.info({ signal }, 'shutting down');
  try {
    await within(env.SHUTDOWN_TIMEOUT_MS, context.close(), 'shutdown');
    logger.info('stopped');
    process.exit(0);
  } catch (err) {
    logger.error({ err }, 'shutdown did not complete');
    process.exit(1);
  }
}
process.on('SIGTERM', (signal) => void stop(signal));
process.on('SIGINT', (signal) => void stop(signal));

try {
  await context.start();
} catch (err) {
  logger.fatal({ err }, 'failed to start');
  await context.close();
  process.exit(1);
}
