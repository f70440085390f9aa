// The environment `pnpm demo` and `pnpm db:seed` run with on a developer machine: whatever is
// set wins; the rest are fixed local values, with DRY_RUN so no provider is ever called.
import { parseEnv, type Env } from '@auto-prospect/core';

const DEMO_DEFAULTS: Record<string, string> = {
  API_SECRET: 'local-demo-api-secret-not-for-production',
  LOBSTR_API_KEY: 'local-demo-lobstr-key',
  LOBSTR_WEBHOOK_TOKEN: 'local-demo-lobstr-webhook-token',
  SMS_API_KEY_ENCRYPTION_KEY: '00'.repeat(32),
  VOICE_PARTNER_API_KEY: 'local-demo-voice-key',
  VOICE_PARTNER_NOTIFICATION_EMAIL: 'demo@auto-prospect.local',
  VOICE_PARTNER_NOTIFY_TOKEN: 'local-demo-voice-notify-token',
  WHATSAPP_ENCRYPTION_KEY: '11'.repeat(32),
  DRY_RUN: 'true',
  SENDING_WINDOWS: 'always',
  LOG_LEVEL: 'warn',
  SMS_MIN_GAP_SECONDS: '0',
  VOICE_REQUESTS_PER_MINUTE: '10000',
  WHATSAPP_MIN_GAP_SECONDS: '0',
  QUEUE_PREFIX: 'ap-demo',
};

export function demoEnv(source: Record<string, string | undefined>): Readonly<Env> {
  // Dry run and always-open windows whatever the environment says: the demo never contacts anyone.
  return parseEnv({ ...DEMO_DEFAULTS, ...source, DRY_RUN: 'true', SENDING_WINDOWS: 'always' });
}
