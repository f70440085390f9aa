// SMSMobileAPI Webhook V2, one URL per account (providers.md §1.5): the body is signed with that
// account's secret, so it is kept raw until the signature is checked, and only then read. A
// delivery answers 202 the first time and 200 when it was handled before (delivery is at least
// once); its effect and its record in the event ledger commit together.
import type { FastifyBaseLogger, FastifyInstance, FastifyRequest } from 'fastify';
import { validatorCompiler, type ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import {
  handOverContact,
  hasValidWebhookSignature,
  isFreshWebhookTimestamp,
  LIMITS,
  localDateOf,
  parseSmsWebhookEvent,
  recordSmsWebhookEvent,
  ROUTES,
  smsWebhookEnvelope,
  smsWebhookSecretOf,
  TIMEOUTS_MS,
  type HandOverDeps,
} from '@auto-prospect/core';
import type { Sql } from '@auto-prospect/core/clients';
import { dispatchMessage } from '../../jobs/dispatch.js';
import type { Queues } from '../../jobs/queues.js';
import { errors } from '../errors.js';
import { describeRoute } from '../openapi.js';

const params = z.object({ accountId: z.guid() });

export interface SmsWebhookDeps {
  sql: Sql;
  queues: Queues;
  handOver: HandOverDeps;
  smsKeyEncryptionKey: string;
  timeZone: string;
  perMinute: number;
}

/**
 * Registers the route in a scope of its own, where JSON bodies stay raw bytes: the envelope schema
 * only documents the body, which is read (parseSmsWebhookEvent) once the signature holds.
 */
export function registerSmsMobileApiWebhook(app: FastifyInstance, deps: SmsWebhookDeps): void {
  void app.register((scope, _options, done) => {
    scope.removeContentTypeParser('application/json');
    scope.addContentTypeParser('application/json', { parseAs: 'buffer' }, (_request, body, parsed) =>
      parsed(null, body),
    );
    scope.setValidatorCompiler<z.ZodType>((route) =>
      route.httpPart === 'body' ? () => true : validatorCompiler(route),
    );
    registerRoute(scope, deps);
    done();
  });
}

/** Unknown account, account without a secret, wrong signature: one answer, revealing none of them. */
const unauthorized = { error: 'INVALID_SIGNATURE', message: 'the signature does not match' };

function registerRoute(app: FastifyInstance, deps: SmsWebhookDeps): void {
  app.withTypeProvider<ZodTypeProvider>().post(
    ROUTES.smsMobileApiWebhook,
    {
      bodyLimit: LIMITS.webhookBodyBytes,
      schema: {
        ...describeRoute({
          tag: 'webhooks',
          summary:
            'SMSMobileAPI Webhook V2 (signed): replies, and what the phone did with a sent SMS; ' +
            'each event handled once',
          bearer: false,
        }),
        params,
        body: smsWebhookEnvelope,
        response: {
          200: z.object({ eventId: z.string(), duplicate: z.literal(true) }).describe('handled before'),
          202: z.object({ eventId: z.string() }),
          ...errors(400, 401, 429),
        },
      },
      config: {
        // SMSMobileAPI posts every dealer's events from the same servers: each account's URL has
        // its own budget, so one dealer's traffic never gets another's events refused.
        rateLimit: {
          max: deps.perMinute,
          timeWindow: 60_000,
          keyGenerator: (request: FastifyRequest) =>
            `${(request.params as { accountId?: string }).accountId ?? ''}@${request.ip}`,
        },
        invalid: { params: { status: 401, ...unauthorized } },
      },
    },
    async (request, reply) => {
      const { accountId } = request.params;
      const signed = await verifySignedBody(deps, accountId, request.headers, request.body);
      if (!signed.ok) return reply.code(signed.status).send(signed.answer);
      const read = readEvent(signed.value);
      if (!read.ok) return reply.code(read.status).send(read.answer);
      const event = read.value;
      const { duplicate } = await applyEvent(deps, accountId, event, request.log);
      if (duplicate) return reply.code(200).send({ eventId: event.id, duplicate: true });
      return reply.code(202).send({ eventId: event.id });
    },
  );
}

/** A step of reading a delivery: its value, or the error answer that ends the request. */
type Step<T> = { ok: true; value: T } | { ok: false; status: 400 | 401; answer: { error: string; message: string } };

type SmsWebhookEvent = Extract<ReturnType<typeof parseSmsWebhookEvent>, { ok: true }>['event'];

/** The raw body, once its timestamp is fresh and its signature holds with the account's secret. */
async function verifySignedBody(
  deps: SmsWebhookDeps,
  accountId: string,
  headers: FastifyRequest['headers'],
  raw: unknown,
): Promise<Step<Buffer>> {
  const timestamp = headers['x-smsmobileapi-timestamp'];
  const signature = headers['x-smsmobileapi-signature'];
  if (typeof timestamp !== 'string' || typeof signature !== 'string')
    return { ok: false, status: 401, answer: unauthorized };
  if (!isFreshWebhookTimestamp(timestamp, new Date())) {
    return {
      ok: false,
      status: 401,
      answer: {
        error: 'STALE_TIMESTAMP',
        message: `the timestamp must be unix seconds within ${TIMEOUTS_MS.smsWebhookMaxAge / 1000} s of now`,
      },
    };
  }
  const secret = await smsWebhookSecretOf(deps.sql, accountId, deps.smsKeyEncryptionKey);
  const rawBody = Buffer.isBuffer(raw) ? raw : Buffer.alloc(0);
  if (!secret || !hasValidWebhookSignature({ secret, timestamp, signature, rawBody }))
    return { ok: false, status: 401, answer: unauthorized };
  return { ok: true, value: rawBody };
}

/** The event a verified body carries (JSON, then the Webhook V2 payload). */
function readEvent(rawBody: Buffer): Step<SmsWebhookEvent> {
  let body: unknown;
  try {
    body = JSON.parse(rawBody.toString('utf8'));
  } catch {
    return { ok: false, status: 400, answer: { error: 'INVALID_JSON', message: 'the body is not JSON' } };
  }
  const parsed = parseSmsWebhookEvent(body);
  if (!parsed.ok) return { ok: false, status: 400, answer: { error: 'INVALID_PAYLOAD', message: parsed.reason } };
  return { ok: true, value: parsed.event };
}

/** Records the event with its effect (once), dispatches a handed-over message and logs what was done. */
async function applyEvent(
  deps: SmsWebhookDeps,
  accountId: string,
  event: SmsWebhookEvent,
  log: FastifyBaseLogger,
): Promise<{ duplicate: boolean }> {
  const result = await recordSmsWebhookEvent(
    {
      sql: deps.sql,
      today: localDateOf(new Date(), deps.timeZone),
      nextChannel: (tx, failed) => handOverContact(tx, deps.handOver, failed),
    },
    accountId,
    event,
  );
  // Never the text or the number: ids and what was done.
  const line = {
    accountId,
    eventId: event.id,
    eventType: event.type,
    effect: result.effect,
    messageId: result.messageId,
  };
  if (result.duplicate) {
    log.info(line, 'smsmobileapi webhook event already handled');
    return { duplicate: true };
  }
  // Committed: if this enqueue is lost, the pending-message sweep puts the job back.
  if (result.handedOver) await dispatchMessage(deps.queues, deps.handOver.window, result.handedOver);
  log[result.effect === 'unknown_message' ? 'warn' : 'info'](
    { ...line, handedOverTo: result.handedOver?.id ?? null },
    'smsmobileapi webhook event',
  );
  return { duplicate: false };
}
