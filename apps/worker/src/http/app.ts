import rateLimit from '@fastify/rate-limit';
import type { RedisClient } from '@auto-prospect/core/clients';
import Fastify, { LogController, type FastifyBaseLogger, type FastifyError, type FastifyInstance, type FastifyServerOptions } from 'fastify';
import { LIMITS, ROUTES, type Env, type HandOverDeps, type Logger } from '@auto-prospect/core';
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
import { requireBearer } from './auth.js';
import { describeRoute, registerOpenApi } from './openapi.js';

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

/** Fastify's own codes for a body it could not read, as the stable codes clients see. */
const BODY_ERRORS: Record<string, string> = {
  FST_ERR_CTP_INVALID_JSON_BODY: 'INVALID_JSON',
  FST_ERR_CTP_EMPTY_JSON_BODY: 'INVALID_JSON',
  FST_ERR_CTP_BODY_TOO_LARGE: 'BODY_TOO_LARGE',
  FST_ERR_CTP_INVALID_MEDIA_TYPE: 'UNSUPPORTED_MEDIA_TYPE',
};

/** The HTTP application, built apart from `listen` so tests drive it with `inject`. */
export function buildApp(deps: AppDeps): FastifyInstance {
  // Typed as the base logger so the instance keeps FastifyInstance's default generics.
  const logger: FastifyBaseLogger = deps.logger;
  const trustProxy: FastifyServerOptions['trustProxy'] = deps.env.TRUST_PROXY;
  // One line per request, when it ends, with what a reader needs (Fastify's own two lines carry
  // the raw request objects); a route's logLevel (health probes: warn) still silences it.
  const app = Fastify({
    loggerInstance: logger, bodyLimit: LIMITS.httpBodyBytes, logController: new LogController({ disableRequestLogging: true }),
    trustProxy,
  });
  app.addHook('onResponse', (request, reply, done) => {
    request.log.info({
      method: request.method, route: request.routeOptions.url ?? 'unmatched', status: reply.statusCode, durationMs: Math.round(reply.elapsedTime),
    }, 'request completed');
    done();
  });

  // Every error answers {error: CODE, message}; a 5xx never shows its details.
  app.setErrorHandler((error: FastifyError, request, reply) => {
    const status = error.statusCode ?? 500;
    if (status >= 500) {
      request.log.error({ err: error }, 'request failed');
      deps.errors.requestFailed(error, { method: request.method, route: request.routeOptions.url ?? 'unknown' });
      return reply.code(status).send({ error: 'INTERNAL_ERROR', message: 'internal error' });
    }
    return reply.code(status).send({ error: BODY_ERRORS[error.code] ?? error.code ?? 'BAD_REQUEST', message: error.message });
  });
  // A path that exists under other methods answers 405 with them, not 404.
  const routes: { methods: string[]; path: RegExp }[] = [];
  app.addHook('onRoute', (route) => {
    const pattern = route.url.replace(/[.*+?^${}()|[\]\\]/g, '\\$&').replace(/:\w+/g, '[^/]+');
    routes.push({ methods: [route.method].flat(), path: new RegExp(`^${pattern}/?$`) });
  });
  app.setNotFoundHandler((request, reply) => {
    const path = request.url.split('?')[0]!;
    const allowed = [...new Set(routes.filter((r) => r.path.test(path)).flatMap((r) => r.methods))];
    if (allowed.length > 0) {
      return reply.code(405).header('allow', allowed.join(', ')).send({ error: 'METHOD_NOT_ALLOWED', message: `${request.method} is not allowed on ${path} (${allowed.join(', ')})` });
    }
    return reply.code(404).send({ error: 'NOT_FOUND', message: `no route ${request.method} ${path}` });
  });

  registerOpenApi(app, { apiSecret: deps.env.API_SECRET, docsPublic: deps.env.DOCS_PUBLIC });
  // Per-route limits only (declared in each route's config), per client address, counted in Redis
  // so replicas share them; with Redis away requests pass (readiness says so) rather than fail.
  void app.register(rateLimit, { global: false, redis: deps.redis, nameSpace: `${deps.env.QUEUE_PREFIX}:rate-limit:`, skipOnError: true });
  const apiLimit = () => ({ max: deps.env.API_RATE_LIMIT_PER_MINUTE, timeWindow: 60_000 });
  void app.register((scope, _options, done) => {
    registerHealthRoutes(scope, deps.readiness);
    registerLobstrWebhook(scope, {
      sql: deps.sql, queues: deps.queues, webhookToken: deps.env.LOBSTR_WEBHOOK_TOKEN, perMinute: deps.env.WEBHOOK_RATE_LIMIT_PER_MINUTE,
    });
    registerSmsMobileApiWebhook(scope, {
      sql: deps.sql, queues: deps.queues, handOver: deps.handOver, smsKeyEncryptionKey: deps.env.SMS_API_KEY_ENCRYPTION_KEY,
      timeZone: deps.env.OUTREACH_TIMEZONE, perMinute: deps.env.WEBHOOK_RATE_LIMIT_PER_MINUTE,
    });
    registerVoicePartnerNotify(scope, { sql: deps.sql, notifyToken: deps.env.VOICE_PARTNER_NOTIFY_TOKEN, perMinute: deps.env.WEBHOOK_RATE_LIMIT_PER_MINUTE });
    done();
  });
  // Everything under /api requires the bearer token.
  void app.register((api, _options, done) => {
    // Per client (address), before authentication, so guessing the token is throttled too.
    api.addHook('onRequest', api.rateLimit(apiLimit()));
    api.addHook('onRequest', requireBearer(deps.env.API_SECRET));
    registerDailyRunRoutes(api, { sql: deps.sql, queues: deps.queues, timeZone: deps.env.OUTREACH_TIMEZONE });
    registerOperationsRoutes(api, { queues: deps.queues });
    registerWhatsAppRoutes(api, { sql: deps.sql, whatsapp: deps.whatsapp });
    registerSmsWebhookSecretRoute(api, { sql: deps.sql, smsKeyEncryptionKey: deps.env.SMS_API_KEY_ENCRYPTION_KEY });
    registerMessageRoutes(api, {
      sql: deps.sql, queues: deps.queues, timeZone: deps.env.OUTREACH_TIMEZONE, whatsappDailyCap: deps.env.WHATSAPP_DAILY_CAP, handOver: deps.handOver,
    });
    done();
  });
  registerDashboard(app, { queues: deps.queues, apiSecret: deps.env.API_SECRET, limit: apiLimit() });
  void app.register((scope, _options, done) => {
    scope.addHook('onRequest', scope.rateLimit(apiLimit()));
    scope.addHook('onRequest', requireBearer(deps.env.API_SECRET));
    scope.get(ROUTES.metrics, { logLevel: 'warn', schema: describeRoute({ tag: 'operations', summary: 'Prometheus metrics' }) }, async (_request, reply) =>
      reply.type('text/plain; version=0.0.4').send(await deps.metrics.render()));
    done();
  });
  return app;
}
