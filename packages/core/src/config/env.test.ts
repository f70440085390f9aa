import { describe, expect, it } from 'vitest';
import { ConfigError, parseEnv } from './env.js';

const valid = {
  DATABASE_URL: 'postgres://postgres@127.0.0.1:5432/autoprospect',
  REDIS_URL: 'redis://127.0.0.1:6379',
  API_SECRET: 'x'.repeat(32),
  LOBSTR_API_KEY: 'lobstr-key',
  LOBSTR_WEBHOOK_TOKEN: 'w'.repeat(32),
  SMS_API_KEY_ENCRYPTION_KEY: 'a'.repeat(64),
  VOICE_PARTNER_API_KEY: 'voice-key',
  VOICE_PARTNER_NOTIFICATION_EMAIL: 'ops@example.com',
  VOICE_PARTNER_NOTIFY_TOKEN: 'v'.repeat(32),
  WHATSAPP_ENCRYPTION_KEY: 'b'.repeat(64),
};

function problemsOf(source: Record<string, string | undefined>): string[] {
  try {
    parseEnv(source);
  } catch (err) {
    if (err instanceof ConfigError) return err.problems;
    throw err;
  }
  return [];
}

describe('parseEnv', () => {
  it("reads a Redis Cluster's nodes and wants a hash-tagged queue prefix with them", () => {
    const nodes = '10.0.0.1:7000,redis-2.internal:7001';
    expect(parseEnv({ ...valid, REDIS_CLUSTER_NODES: nodes, QUEUE_PREFIX: '{ap}' }).REDIS_CLUSTER_NODES).toEqual([
      { host: '10.0.0.1', port: 7000 },
      { host: 'redis-2.internal', port: 7001 },
    ]);
    expect(problemsOf({ ...valid, REDIS_CLUSTER_NODES: nodes })).toEqual([
      expect.stringMatching(/^QUEUE_PREFIX must hold a hash tag/),
    ]);
    expect(problemsOf({ ...valid, REDIS_CLUSTER_NODES: '10.0.0.1', QUEUE_PREFIX: '{ap}' })).toEqual([
      'REDIS_CLUSTER_NODES must be host:port pairs separated by commas',
    ]);
  });

  it('applies the documented defaults', () => {
    const env = parseEnv(valid);
    expect(env).toMatchObject({
      PORT: 3001,
      HOST: '0.0.0.0',
      QUEUE_PREFIX: 'ap',
      OUTREACH_TIMEZONE: 'Europe/Paris',
      DAILY_RUN_CRON: '0 9 * * 1-5',
      SENDING_WINDOWS: 'fr-canvassing',
      DRY_RUN: false,
      LOBSTR_BASE_URL: 'https://api.lobstr.io/v1',
      SMSMOBILEAPI_BASE_URL: 'https://api.smsmobileapi.com',
      VOICE_PARTNER_BASE_URL: 'https://api.voicepartner.fr/v1',
    });
    expect(Object.isFrozen(env)).toBe(true);
  });

  it('names every missing or invalid variable at once', () => {
    const problems = problemsOf({ ...valid, DATABASE_URL: undefined, WHATSAPP_ENCRYPTION_KEY: 'xyz' });
    expect(problems).toEqual([
      'DATABASE_URL is required',
      'WHATSAPP_ENCRYPTION_KEY must be 64 hexadecimal characters (a 32-byte AES-256 key)',
    ]);
  });

  it('treats empty variables as unset and rejects bad values', () => {
    const problems = problemsOf({
      ...valid,
      API_SECRET: '',
      OUTREACH_TIMEZONE: 'Mars/Olympus',
      DRY_RUN: 'perhaps',
      QUEUE_PREFIX: 'a b',
    });
    expect(problems.map((p) => p.split(' ')[0])).toEqual([
      'API_SECRET',
      'QUEUE_PREFIX',
      'OUTREACH_TIMEZONE',
      'DRY_RUN',
    ]);
    expect(problems[0]).toBe('API_SECRET is required');
  });

  it('names the variable and the fix for a bad cron, port or a placeholder secret', () => {
    const problems = problemsOf({
      ...valid,
      DAILY_RUN_CRON: '0 9 * * eve',
      PORT: 'abc',
      API_SECRET: 'change-me-to-a-long-random-string',
    });
    expect(problems).toEqual([
      'PORT must be a port number (0-65535)',
      'API_SECRET is the .env.example placeholder: set a random value (e.g. `openssl rand -hex 32`)',
      'DAILY_RUN_CRON must be a cron pattern such as "0 9 * * 1-5" (minute hour day-of-month month day-of-week)',
    ]);
    expect(problemsOf({ ...valid, DAILY_RUN_CRON: '30 8 * * 1-6' })).toEqual([]);
  });

  it('reads DRY_RUN and SENDING_WINDOWS', () => {
    const env = parseEnv({ ...valid, DRY_RUN: 'true', SENDING_WINDOWS: 'always' });
    expect(env.DRY_RUN).toBe(true);
    expect(env.SENDING_WINDOWS).toBe('always');
  });

  it('starts on exactly the variables of the interface, whatever their length, the notify token optional', () => {
    const short = {
      ...valid,
      VOICE_PARTNER_NOTIFY_TOKEN: undefined,
      API_SECRET: 'test-secret',
      LOBSTR_API_KEY: 'k',
      LOBSTR_WEBHOOK_TOKEN: 'hook-token',
      VOICE_PARTNER_API_KEY: 'v',
      VOICE_PARTNER_NOTIFICATION_EMAIL: 'ops@localhost',
      QUEUE_PREFIX: 'check:1.a',
    };
    expect(problemsOf(short)).toEqual([]);
    expect(problemsOf({ ...short, PUBLIC_BASE_URL: 'https://worker.example.com' })).toEqual([
      expect.stringMatching(/^VOICE_PARTNER_NOTIFY_TOKEN is required with PUBLIC_BASE_URL/),
    ]);
    expect(problemsOf({ ...short, VOICE_PARTNER_NOTIFICATION_EMAIL: 'ops' })).toEqual([
      'VOICE_PARTNER_NOTIFICATION_EMAIL must be an email address',
    ]);
  });
});
