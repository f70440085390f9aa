// The dependencies of the hunt, send-message and voice-batch usecases, built from the configuration.
import {
  createSendPacer,
  createSmsMobileApiSender,
  createVoicePartnerSender,
  createVoiceRequestPace,
  ROUTES,
  sendingWindow,
  type Env,
  type Logger,
  type SendMessageDeps,
  type SendVoiceBatchDeps,
  type ProcessHuntDeps,
} from '@auto-prospect/core';
import {
  createWhatsAppSender,
  type RedisClient,
  type Sql,
  type WhatsAppConnections,
} from '@auto-prospect/core/clients';
import { dispatchMessages } from '../jobs/dispatch.js';
import type { Queues } from '../jobs/queues.js';
import type { InFlightSends } from './in-flight-sends.js';

export function huntDependencies(env: Readonly<Env>, sql: Sql, logger: Logger, queues: Queues): ProcessHuntDeps {
  const window = sendingWindow(env.SENDING_WINDOWS, env.OUTREACH_TIMEZONE);
  return {
    sql,
    logger,
    window,
    timeZone: env.OUTREACH_TIMEZONE,
    smsKeyEncryptionKey: env.SMS_API_KEY_ENCRYPTION_KEY,
    whatsappDailyCap: env.WHATSAPP_DAILY_CAP,
    // Plans spread one account's messages at the average pacing gap (1.5× the minimum).
    spacingMs: {
      sms: env.SMS_MIN_GAP_SECONDS * 1500,
      whatsapp_text: env.WHATSAPP_MIN_GAP_SECONDS * 1500,
      // No spacing: an account's voice messages fall due together, to go out in one request.
      ringless_voice: 0,
    },
    dispatch: (messages) => dispatchMessages(queues, window, messages),
  };
}

interface SendingParts {
  env: Readonly<Env>;
  hunt: ProcessHuntDeps;
  redis: RedisClient;
  whatsapp: WhatsAppConnections;
  inFlight: InFlightSends;
}

export function sendMessageDependencies({ env, hunt, redis, whatsapp, inFlight }: SendingParts): SendMessageDeps {
  return {
    ...hunt,
    dryRun: env.DRY_RUN,
    pacer: createSendPacer(redis, env.QUEUE_PREFIX, {
      sms: env.SMS_MIN_GAP_SECONDS,
      whatsapp_text: env.WHATSAPP_MIN_GAP_SECONDS,
    }),
    senders: {
      sms: inFlight.channel(
        'smsmobileapi',
        createSmsMobileApiSender({ baseUrl: env.SMSMOBILEAPI_BASE_URL, timeoutMs: env.PROVIDER_TIMEOUT_MS }),
      ),
      whatsapp_text: inFlight.channel('whatsapp', createWhatsAppSender(whatsapp)),
    },
  };
}

export function voiceBatchDependencies({
  env,
  hunt,
  redis,
  inFlight,
}: Omit<SendingParts, 'whatsapp'>): SendVoiceBatchDeps {
  // The configuration requires the token with PUBLIC_BASE_URL.
  const notifyBase =
    env.PUBLIC_BASE_URL && env.VOICE_PARTNER_NOTIFY_TOKEN
      ? env.PUBLIC_BASE_URL.replace(/\/+$/, '') +
        ROUTES.voicePartnerNotify.replace(':token', encodeURIComponent(env.VOICE_PARTNER_NOTIFY_TOKEN))
      : null;
  const sender = createVoicePartnerSender({
    baseUrl: env.VOICE_PARTNER_BASE_URL,
    apiKey: env.VOICE_PARTNER_API_KEY,
    notificationEmail: env.VOICE_PARTNER_NOTIFICATION_EMAIL,
    timeoutMs: env.PROVIDER_TIMEOUT_MS,
  });
  return {
    ...hunt,
    dryRun: env.DRY_RUN,
    sender: inFlight.voice(sender),
    pace: createVoiceRequestPace(redis, env.QUEUE_PREFIX, {
      requests: env.VOICE_REQUESTS_PER_MINUTE,
      windowSeconds: env.VOICE_RATE_WINDOW_SECONDS,
    }),
    stopping: inFlight.stopping,
    // The batch's leader names the batch in Voice Partner's callback (its parameters are undocumented).
    notifyUrl: notifyBase ? (leaderId: string) => `${notifyBase}?batch=${leaderId}` : null,
  };
}
