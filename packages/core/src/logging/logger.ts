import { pino, type Logger, type LevelWithSilent } from 'pino';

export type { Logger };

/** Keys whose values are secrets wherever they appear in a log object, at any depth. */
const SECRET_KEY = new RegExp(
  [
    '^api_?key$',
    '^sms_api_key$',
    '^token$',
    '^token_?audio$',
    'password',
    'secret',
    '^authorization$',
    '^cookie$',
    '^credentials$',
    '^creds$',
    '^keys$',
    '_encryption_key$',
    '^(database|redis)_url$',
  ].join('|'),
  'i',
);

/**
 * International or French national numbers as they appear in text, 9+ digits, standing alone: a
 * run of digits inside a UUID or another id (preceded or followed by a letter, digit or dash) is
 * not a phone number.
 */
const PHONE = /(?<![\w-])(?:\+|0)\d(?:[ .-]?\d){7,13}(?![\w-])/g;
/** WhatsApp addresses: the number before @s.whatsapp.net (or the older @c.us). */
const JID = /\b\d{8,15}(?=@(?:s\.whatsapp\.net|c\.us)\b)/g;

const lastFour = (match: string) => `******${match.replace(/\D/g, '').slice(-4)}`;

const isPlain = (value: object) => [Object.prototype, null].includes(Object.getPrototypeOf(value) as object | null);

/**
 * Full phone numbers never reach a log line (only their last four digits stay) and secrets are
 * redacted by key. Plain objects, arrays and errors are walked; other objects (Fastify's request
 * and reply) are left to their serializers.
 */
export function maskPhones(value: unknown, depth = 0): unknown {
  if (typeof value === 'string') return value.replace(PHONE, lastFour).replace(JID, lastFour);
  if (depth > 6 || value === null || typeof value !== 'object') return value;
  if (value instanceof Error) {
    return {
      type: value.name,
      message: maskPhones(value.message, depth + 1),
      code: (value as { code?: unknown }).code,
      stack: maskPhones(value.stack, depth + 1),
    };
  }
  if (Array.isArray(value)) return value.map((v) => maskPhones(v, depth + 1));
  if (!isPlain(value)) return value;
  return Object.fromEntries(
    Object.entries(value).map(([k, v]) => [k, SECRET_KEY.test(k) ? '[redacted]' : maskPhones(v, depth + 1)]),
  );
}

export function createLogger(level: LevelWithSilent, destination?: pino.DestinationStream): Logger {
  return pino(
    {
      level,
      base: { service: 'auto-prospect-worker' },
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: {
        log: (object) => maskPhones(object) as Record<string, unknown>,
        bindings: (bindings) => maskPhones(bindings) as Record<string, unknown>,
      },
      hooks: {
        logMethod(args, method) {
          // The message text too: `log.info(obj, 'sent to +336…')`.
          method.apply(this, args.map((a) => (typeof a === 'string' ? maskPhones(a) : a)) as typeof args);
        },
      },
      // Serialized values (a request's headers) are past the formatter: pino redacts those paths.
      redact: { paths: ['req.headers.authorization', 'req.headers.cookie'], censor: '[redacted]' },
    },
    destination,
  );
}
