export * from './config/worker.config.js';
export { parseEnv, ConfigError, type Env } from './config/env.js';
export { createLogger, type Logger } from './logging/logger.js';
export { encryptSecret, decryptSecret, DecryptionError } from './crypto/secret-box.js';
