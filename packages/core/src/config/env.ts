// The only reader of environment variables: parsed once with zod, every problem reported at once.
import { CronExpressionParser } from 'cron-parser';
import { z } from 'zod';
import {
  DEFAULT_DAILY_RUN_CRON,
  PENDING_MESSAGE_SWEEP_SECONDS,
  LIMITS,
  PACING,
  RATE_LIMITS_PER_MINUTE,
  TIMEOUTS_MS,
  WORKER_ROLE_NAMES,
} from './worker.config.js';

const hexKey = z.string().regex(/^[0-9a-fA-F]{64}$/, 'must be 64 hexadecimal characters (a 32-byte AES-256 key)');

/** The .env.example values that must be replaced before anything runs. */
const PLACEHOLDERS = new Set(['change-me-to-a-long-random-string']);
const notPlaceholder = (value: string) => !PLACEHOLDERS.has(value);
const PLACEHOLDER_MESSAGE = 'is the .env.example placeholder: set a random value (e.g. `openssl rand -hex 32`)';

/** A token or key: any value but .env.example's placeholder (its length is the operator's business). */
const secret = z.string().refine(notPlaceholder, PLACEHOLDER_MESSAGE);

/** Parsed by the library BullMQ's job schedulers use, so a pattern accepted here runs there. */
const cronPattern = z.string().refine((pattern) => {
  try {
    CronExpressionParser.parse(pattern);
    return true;
  } catch {
    return false;
  }
}, 'must be a cron pattern such as "0 9 * * 1-5" (minute hour day-of-month month day-of-week)');

const timeZone = z.string().refine((tz) => {
  try {
    new Intl.DateTimeFormat('en', { timeZone: tz });
    return true;
  } catch {
    return false;
  }
}, 'must be an IANA time zone such as Europe/Paris');

const envSchema = z
  .object({
    DATABASE_URL: z.url({ protocol: /^postgres(ql)?$/, error: 'must be a postgres:// URL' }),
    REDIS_URL: z.url({ protocol: /^rediss?$/, error: 'must be a redis:// URL' }),
    /** A Redis Cluster's seed nodes, `host:port,host:port`; REDIS_URL then only gives credentials and TLS. */
    REDIS_CLUSTER_NODES: z
      .string()
      .regex(/^[\w.-]+:\d{1,5}(,[\w.-]+:\d{1,5})*$/, 'must be host:port pairs separated by commas')
      .transform((value) =>
        value.split(',').map((node) => {
          const [host, port] = node.split(':');
          return { host: host!, port: Number(port) };
        }),
      )
      .optional(),
    PORT: z.coerce.number({ error: 'must be a port number (0-65535)' }).int().min(0).max(65535).default(3001),
    HOST: z.string().min(1).default('0.0.0.0'),
    /**
     * Whom to believe about the client's address (X-Forwarded-For): `false` (the socket's peer),
     * `true` (any proxy), or proxy addresses/CIDRs separated by commas.
     */
    TRUST_PROXY: z
      .string()
      .default('false')
      .transform((value): boolean | string => (value === 'true' ? true : value === 'false' ? false : value)),
    WEBHOOK_RATE_LIMIT_PER_MINUTE: z.coerce
      .number()
      .int()
      .min(1)
      .max(1_000_000)
      .default(RATE_LIMITS_PER_MINUTE.webhook),
    API_RATE_LIMIT_PER_MINUTE: z.coerce.number().int().min(1).max(1_000_000).default(RATE_LIMITS_PER_MINUTE.api),
    API_SECRET: secret,
    QUEUE_PREFIX: z.string().regex(/^\S+$/, 'must not contain spaces').default('ap'),
    LOBSTR_API_KEY: secret,
    LOBSTR_BASE_URL: z.url().default('https://api.lobstr.io/v1'),
    LOBSTR_WEBHOOK_TOKEN: secret,
    SMSMOBILEAPI_BASE_URL: z.url().default('https://api.smsmobileapi.com'),
    SMS_API_KEY_ENCRYPTION_KEY: hexKey,
    VOICE_PARTNER_API_KEY: secret,
    VOICE_PARTNER_BASE_URL: z.url().default('https://api.voicepartner.fr/v1'),
    // Voice Partner judges the address; only what cannot be one is refused here.
    VOICE_PARTNER_NOTIFICATION_EMAIL: z.string().regex(/^[^\s@]+@[^\s@]+$/, 'must be an email address'),
    /** Secret part of the notifyUrl given to Voice Partner: /webhooks/voicepartner/<token>. */
    VOICE_PARTNER_NOTIFY_TOKEN: secret.optional(),
    /** The worker's address as Voice Partner reaches it; without it no notifyUrl is sent. */
    PUBLIC_BASE_URL: z.url({ protocol: /^https?$/, error: 'must be an http(s):// URL' }).optional(),
    WHATSAPP_ENCRYPTION_KEY: hexKey,
    SENTRY_DSN: z.url().optional(),
    OUTREACH_TIMEZONE: timeZone.default('Europe/Paris'),
    DAILY_RUN_CRON: cronPattern.default(DEFAULT_DAILY_RUN_CRON),
    SENDING_WINDOWS: z.enum(['fr-canvassing', 'always']).default('fr-canvassing'),
    DRY_RUN: z.stringbool().default(false),
    /** The API docs without the API secret (a public API reference). */
    DOCS_PUBLIC: z.stringbool().default(false),
    LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
    PROVIDER_TIMEOUT_MS: z.coerce.number().int().min(100).max(120_000).default(TIMEOUTS_MS.providerRequest),
    SMS_MIN_GAP_SECONDS: z.coerce.number().min(0).max(3600).default(PACING.smsMinGapSeconds),
    WHATSAPP_MIN_GAP_SECONDS: z.coerce.number().min(0).max(3600).default(PACING.whatsappMinGapSeconds),
    WHATSAPP_DAILY_CAP: z.coerce.number().int().min(0).max(1000).default(LIMITS.whatsappDailyCapPerAccount),
    WHATSAPP_LISTEN_PERIOD_SECONDS: z.coerce
      .number()
      .int()
      .min(1)
      .max(86_400)
      .default(PACING.whatsappListenPeriodSeconds),
    VOICE_REQUESTS_PER_MINUTE: z.coerce.number().int().min(1).max(10_000).default(5),
    /** The window VOICE_REQUESTS_PER_MINUTE counts over (s): the provider's minute, shorter in tests. */
    VOICE_RATE_WINDOW_SECONDS: z.coerce.number().int().min(1).max(3600).default(60),
    WORKER_ROLES: z
      .string()
      .transform((value) =>
        value
          .split(',')
          .map((r) => r.trim())
          .filter(Boolean),
      )
      .pipe(z.array(z.enum(WORKER_ROLE_NAMES)).min(1, 'must name at least one role'))
      .default([...WORKER_ROLE_NAMES]),
    HUNT_CONCURRENCY: z.coerce.number().int().min(1).max(100).default(4),
    STALLED_JOB_SECONDS: z.coerce
      .number()
      .int()
      .min(1)
      .max(600)
      .default(TIMEOUTS_MS.jobLock / 1000),
    SHUTDOWN_TIMEOUT_MS: z.coerce.number().int().min(1000).max(120_000).default(10_000),
    SWEEP_PERIOD_SECONDS: z.coerce.number().int().min(1).max(3600).default(PENDING_MESSAGE_SWEEP_SECONDS),
  })
  .refine((env) => !env.PUBLIC_BASE_URL || env.VOICE_PARTNER_NOTIFY_TOKEN, {
    path: ['VOICE_PARTNER_NOTIFY_TOKEN'],
    message: 'is required with PUBLIC_BASE_URL (it is the secret part of the notifyUrl built from it)',
  })
  .refine((env) => !env.REDIS_CLUSTER_NODES || /\{[^}]+\}/.test(env.QUEUE_PREFIX), {
    // A queue's keys must share a slot for BullMQ's scripts: the prefix's hash tag puts them there.
    path: ['QUEUE_PREFIX'],
    message:
      "must hold a hash tag such as {ap} when REDIS_CLUSTER_NODES is set (a queue's keys must share a cluster slot)",
  });

export type Env = z.infer<typeof envSchema>;

export class ConfigError extends Error {
  override readonly name = 'ConfigError';
  constructor(readonly problems: string[]) {
    super(`invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
  }
}

/** Parses the environment; throws a ConfigError naming every missing or invalid variable. */
export function parseEnv(source: Record<string, string | undefined>): Readonly<Env> {
  // An empty variable is treated as unset, as Docker and .env files commonly produce them.
  const present = Object.fromEntries(Object.entries(source).filter(([, v]) => v !== undefined && v !== ''));
  const result = envSchema.safeParse(present);
  if (!result.success) {
    throw new ConfigError(
      result.error.issues.map((issue) => {
        const name = issue.path.join('.');
        return issue.code === 'invalid_type' && present[name] === undefined
          ? `${name} is required`
          : `${name} ${issue.message}`;
      }),
    );
  }
  return Object.freeze(result.data);
}
