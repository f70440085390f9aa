import { pino, type Logger, type LevelWithSilent } from 'pino';

export type { Logger };

/** Keys whose values are secrets wherever they appear in a log object. */
const SECRET_KEYS = [
  'apiKey', 'apikey', 'api_key', 'sms_api_key', 'token', 'tokenAudio', 'password', 'secret',
  'authorization', 'credentials', 'creds', 'keys',
];

/** International or French national numbers as they appear in text, 9+ digits. */
const PHONE = /(?:\+|\b0)\d(?:[ .-]?\d){7,13}\b/g;

/** Full phone numbers never reach a log line: only their last four digits stay. */
export function maskPhones(value: unknown, depth = 0): unknown {
  if (typeof value === 'string') return value.replace(PHONE, (match) => `******${match.replace(/\D/g, '').slice(-4)}`);
  if (depth > 4 || value === null || typeof value !== 'object') return value;
  if (value instanceof Error) {
    return { type: value.name, message: maskPhones(value.message, depth + 1), code: (value as { code?: unknown }).code, stack: maskPhones(value.stack, depth + 1) };
  }
  if (Array.isArray(value)) return value.map((v) => maskPhones(v, depth + 1));
  return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, maskPhones(v, depth + 1)]));
}

export function createLogger(level: LevelWithSilent, destination?: pino.DestinationStream): Logger {
  return pino(
    {
      level,
      base: { service: 'auto-prospect-worker' },
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: { log: (object) => maskPhones(object) as Record<string, unknown> },
      hooks: {
        logMethod(args, method) {
          // The message text too: `log.info(obj, 'sent to +336…')`.
          method.apply(this, args.map((a) => (typeof a === 'string' ? maskPhones(a) : a)) as typeof args);
        },
      },
      redact: {
        paths: [...SECRET_KEYS, ...SECRET_KEYS.map((k) => `*.${k}`), 'req.headers.authorization'],
        censor: '[redacted]',
      },
    },
    destination,
  );
}
