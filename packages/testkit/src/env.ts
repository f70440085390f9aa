import { checkoutNamespace, redisUrl } from './environment.js';

/** A complete, valid worker environment for tests; override what a test is about. */
export function testEnv(overrides: Record<string, string | undefined> = {}): Record<string, string | undefined> {
  return {
    DATABASE_URL: undefined,
    REDIS_URL: redisUrl(),
    // Never the service's default `ap`: a test that needs a clean prefix makes its own.
    QUEUE_PREFIX: `t${checkoutNamespace}`,
    PORT: '0',
    HOST: '127.0.0.1',
    API_SECRET: 'test-api-secret-0123456789abcdef',
    LOBSTR_API_KEY: 'test-lobstr-key',
    LOBSTR_WEBHOOK_TOKEN: 'test-lobstr-webhook-token-0123456789',
    SMS_API_KEY_ENCRYPTION_KEY: 'a'.repeat(64),
    VOICE_PARTNER_API_KEY: 'test-voice-key',
    VOICE_PARTNER_NOTIFICATION_EMAIL: 'ops@example.test',
    VOICE_PARTNER_NOTIFY_TOKEN: 'test-voice-notify-token-0123456789',
    WHATSAPP_ENCRYPTION_KEY: 'b'.repeat(64),
    LOG_LEVEL: 'silent',
    // Tests run at any hour; the window rules have tests of their own.
    SENDING_WINDOWS: 'always',
    ...overrides,
  };
}
