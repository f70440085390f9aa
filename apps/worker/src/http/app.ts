import rateLimit from '@fastify/rate-limit';
import type { RedisClient } from '@auto-prospect/core/clients';
import Fastify, {
  LogController,
  type FastifyBaseLogger,
  type FastifyInstance,
  type FastifyServerOptions,
} from 'fastify';
import { serializerCompiler, validatorCompiler } from 'fastify-type-provider-zod';
import { LIMITS, type Env, type HandOverDeps, type Logger } from '@auto-prospect/core';
import type { Sql, WhatsAppConnections } from '@auto-prospect/core/clients';
import type { Queues } from '../jobs/queues.js';
import type { ErrorReporter } from '../error-reporting.js';
import type { Metrics } from '../metrics.js';
import type { Readiness } from '../readiness.js';
import { registerHealthRoutes } from './routes/health.js';
import { registerLobstrWebhook } from './routes/lobstr-webhook.js';
import { registerSmsMobileApiWebhook } from './routes/smsmobileapi-webhook.js';
import { registerVoicePartnerNotify } from './routes/voice-partner-notify.js';
import { registerDailyRunRoutes } from './routes/daily-runs.js';
import { registerDashboard } from './routes/dashboard.js';
import { registerMessageRoutes } from './routes/messages.js';
import { registerOperationsRoutes } from './routes/operations.js';
import { registerWhatsAppRoutes } from './routes/whatsapp.js';
import { registerSmsWebhookSecretRoute } from './routes/sms-webhook-secret.js';
import { registerChannelPauseRoute } from './routes/channel-pause.js';
import { registerMetricsRoute } from './routes/metrics.js';
import { requireBearer } from './auth.js';
import { rateLimitCounters } from './rate-limit-counters.js';
import { registerErrorHandler, registerNotFoundHandler } from './errors.js';
import { registerOpenApi } from './openapi.js';

export interface AppDeps {
  logger: Logger;
  /** Shared counters of the rate limits (the producers' fail-fast connection). */
  redis: RedisClient;
  readiness: Readiness;
  sql: Sql;
  queues: Queues;
  env: Readonly<Env>;
  whatsapp: WhatsAppConnections;
  metrics: Metrics;
  errors: ErrorReporter;
  /** What handing a contact on to its next channel needs (settling an uncertain message). */
  handOver: HandOverDeps;
}

/** The HTTP application, built apart from `listen` so tests drive it with `inject`. */
export function buildApp(deps: AppDeps): FastifyInstance {
  // Typed as the base logger so the instance keeps FastifyInstance's default generics.
  const logger: FastifyBaseLogger = deps.logger;
  const trustProxy: FastifyServerOptions['trustProxy'] = deps.env.TRUST_PROXY;
  // One line per request, when it ends, with what a reader needs (Fastify's own two lines carry
  // the raw request objects); a route's logLevel (health probes: warn) still silences it.
  const app = Fastify({
    loggerInstance: logger,
    bodyLimit: LIMITS.httpBodyBytes,
    logController: new LogController({ disableRequestLogging: true }),
    trustProxy,
    routerOptions: { ignoreTrailingSlash: true },
  });
  acceptEmptyJsonBodies(app);
  app.addHook('onResponse', (request, reply, done) => {
    request.log.info(
      {
        method: request.method,
        route: request.routeOptions.url ?? 'unmatched',
        status: reply.statusCode,
        durationMs: Math.round(reply.elapsedTime),
      },
      'request completed',
    );
    done();
  });

  // Route schemas are zod: Fastify validates inputs and serializes answers with them.
  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);
  registerErrorHandler(app, (error, request) => {
    request.log.error({ err: error }, 'request failed');
    deps.errors.requestFailed(error, { method: request.method, route: request.routeOptions.url ?? 'unknown' });
  });
  registerNotFoundHandler(app);

  registerOpenApi(app, { apiSecret: deps.env.API_SECRET, docsPublic: deps.env.DOCS_PUBLIC });
  // Per-route limits only (declared in each route's config), per client address, counted in Redis
  // so replicas share them; with Redis away requests pass (readiness says so) rather than fail.
  void app.register(rateLimit, {
    global: false,
    store: rateLimitCounters(deps.redis, `${deps.env.QUEUE_PREFIX}:rate-limit:`),
    skipOnError: true,
  });
  const apiLimit = () => ({ max: deps.env.API_RATE_LIMIT_PER_MINUTE, timeWindow: 60_000 });
  void app.register((scope, _options, done) => {
    registerPublicRoutes(scope, deps);
    done();
  });
  // Everything under /api requires the bearer token.
  void app.register((api, _options, done) => {
    // Per client (address), before authentication, so guessing the token is throttled too.
    api.addHook('onRequest', api.rateLimit(apiLimit()));
    api.addHook('onRequest', requireBearer(deps.env.API_SECRET));
    registerApiRoutes(api, deps);
    done();
  });
  registerDashboard(app, { queues: deps.queues, apiSecret: deps.env.API_SECRET, limit: apiLimit() });
  void app.register((scope, _options, done) => {
    scope.addHook('onRequest', scope.rateLimit(apiLimit()));
    scope.addHook('onRequest', requireBearer(deps.env.API_SECRET));
    registerMetricsRoute(scope, { metrics: deps.metrics });
    done();
  });
  return app;
}

/**
 * A body-less POST sent with `Content-Type: application/json` (many clients set it on every call)
 * has no body, as without the header; any other body is parsed as Fastify does.
 */
function acceptEmptyJsonBodies(app: FastifyInstance): void {
  const parseJson = app.getDefaultJsonParser('error', 'error');
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (request, body, done) => {
    if (body.length === 0) done(null, undefined);
    // Fastify's own parser answers through `done`.
    else void parseJson(request, body.toString(), done);
  });
}

/** Health probes and webhooks: no bearer token (a webhook checks its own secret). */
function registerPublicRoutes(scope: FastifyInstance, deps: AppDeps): void {
  registerHealthRoutes(scope, deps.readiness);
  registerLobstrWebhook(scope, {
    sql: deps.sql,
    queues: deps.queues,
    webhookToken: deps.env.LOBSTR_WEBHOOK_TOKEN,
    perMinute: deps.env.WEBHOOK_RATE_LIMIT_PER_MINUTE,
  });
  registerSmsMobileApiWebhook(scope, {
    sql: deps.sql,
    queues: deps.queues,
    handOver: deps.handOver,
    smsKeyEncryptionKey: deps.env.SMS_API_KEY_ENCRYPTION_KEY,
    timeZone: deps.env.OUTREACH_TIMEZONE,
    perMinute: deps.env.WEBHOOK_RATE_LIMIT_PER_MINUTE,
  });
  // Without a token there is no notifyUrl to answer.
  if (deps.env.VOICE_PARTNER_NOTIFY_TOKEN)
    registerVoicePartnerNotify(scope, {
      sql: deps.sql,
      notifyToken: deps.env.VOICE_PARTNER_NOTIFY_TOKEN,
      perMinute: deps.env.WEBHOOK_RATE_LIMIT_PER_MINUTE,
    });
}

/** The /api routes, in a scope whose hooks already checked the rate limit and the bearer token. */
function registerApiRoutes(api: FastifyInstance, deps: AppDeps): void {
  registerDailyRunRoutes(api, { sql: deps.sql, queues: deps.queues, timeZone: deps.env.OUTREACH_TIMEZONE });
  registerOperationsRoutes(api, { queues: deps.queues });
  registerWhatsAppRoutes(api, { sql: deps.sql, whatsapp: deps.whatsapp });
  registerSmsWebhookSecretRoute(api, { sql: deps.sql, smsKeyEncryptionKey: deps.env.SMS_API_KEY_ENCRYPTION_KEY });
  registerChannelPauseRoute(api, { sql: deps.sql });
  registerMessageRoutes(api, {
    sql: deps.sql,
    queues: deps.queues,
    timeZone: deps.env.OUTREACH_TIMEZONE,
    whatsappDailyCap: deps.env.WHATSAPP_DAILY_CAP,
    handOver: deps.handOver,
  });
}
