import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import {
  CHANNELS,
  createManualContact,
  firstSendingDate,
  handOverContact,
  listUncertainMessages,
  localDateOf,
  resolveUncertainMessage,
  ROUTES,
  type HandOverDeps,
} from '@auto-prospect/core';
import type { Sql } from '@auto-prospect/core/clients';
import { dispatchMessage } from '../../jobs/dispatch.js';
import type { Queues } from '../../jobs/queues.js';
import { errors } from '../errors.js';
import { describeRoute } from '../openapi.js';

const body = z
  .object({ accountId: z.guid(), adId: z.guid(), channel: z.enum(CHANNELS), templateId: z.guid() })
  .strict();
const NOT_FOUND = new Set(['AD_NOT_FOUND', 'TEMPLATE_NOT_FOUND']);
const listQuery = z.object({ status: z.literal('uncertain') }).strict();
const resolveParams = z.object({ messageId: z.guid('must be a UUID') });
const resolveBody = z.object({ outcome: z.enum(['sent', 'not_sent']) }).strict();
/** Most uncertain messages listed at once (oldest first). */
const UNCERTAIN_LIST_LIMIT = 500;

const uncertain = z.object({
  id: z.guid(),
  accountId: z.guid(),
  adId: z.guid(),
  channel: z.enum(CHANNELS),
  errorCode: z.string().nullable(),
  updatedAt: z.date(),
});
const resolved = z.object({
  messageId: z.guid(),
  status: z.enum(['sent', 'failed']),
  handedOverTo: z
    .object({ messageId: z.guid(), channel: z.enum(CHANNELS) })
    .nullable()
    .describe("the contact's next message, when not sent hands it on"),
});

type MessageRouteDeps = {
  sql: Sql;
  queues: Queues;
  timeZone: string;
  whatsappDailyCap: number;
  handOver: HandOverDeps;
};

export function registerMessageRoutes(instance: FastifyInstance, deps: MessageRouteDeps): void {
  registerManualContactRoute(instance, deps);
  registerUncertainListRoute(instance, deps);
  registerResolveRoute(instance, deps);
}

/** A manual contact: same lifecycle, credits and checks as a hunt's. */
function registerManualContactRoute(instance: FastifyInstance, deps: MessageRouteDeps): void {
  instance.withTypeProvider<ZodTypeProvider>().post(
    ROUTES.messages,
    {
      schema: {
        ...describeRoute({ tag: 'messages', summary: 'A manual contact, with the same lifecycle, credits and checks' }),
        body,
        response: { 202: z.object({ messageId: z.guid() }), ...errors(400, 401, 404, 409, 429) },
      },
    },
    async (request, reply) => {
      const result = await createManualContact(deps.sql, {
        ...request.body,
        // The day it counts against is the day it can go out, as for a hunt's contacts.
        localDate: firstSendingDate(deps.handOver.window, localDateOf(new Date(), deps.timeZone), deps.timeZone),
        whatsappDailyCap: deps.whatsappDailyCap,
      });
      if (!result.created) {
        return reply
          .code(NOT_FOUND.has(result.reason) ? 404 : 409)
          .send({ error: result.reason, message: 'the contact was not created' });
      }
      await dispatchMessage(deps.queues, deps.handOver.window, {
        id: result.messageId,
        accountId: request.body.accountId,
        channel: request.body.channel,
        recipientPhone: result.recipientPhone,
      });
      return reply.code(202).send({ messageId: result.messageId });
    },
  );
}

/** Messages whose send outcome is unknown (cut off mid-call), for an operator to settle. */
function registerUncertainListRoute(instance: FastifyInstance, deps: MessageRouteDeps): void {
  instance.withTypeProvider<ZodTypeProvider>().get(
    ROUTES.messages,
    {
      schema: {
        ...describeRoute({ tag: 'messages', summary: 'Uncertain messages, oldest first (?status=uncertain)' }),
        querystring: listQuery,
        response: { 200: z.object({ messages: z.array(uncertain) }), ...errors(400, 401, 429) },
      },
    },
    async (_request, reply) => reply.send({ messages: await listUncertainMessages(deps.sql, UNCERTAIN_LIST_LIMIT) }),
  );
}

/** Settles an uncertain message as sent, or as not sent (the contact is handed on the same day). */
function registerResolveRoute(instance: FastifyInstance, deps: MessageRouteDeps): void {
  instance.withTypeProvider<ZodTypeProvider>().post(
    ROUTES.messageResolve,
    {
      schema: {
        ...describeRoute({
          tag: 'messages',
          summary: 'Settles an uncertain message: sent, or not sent (handed on the same day)',
        }),
        params: resolveParams,
        body: resolveBody,
        response: { 200: resolved, ...errors(400, 401, 404, 409, 429) },
      },
      config: { invalid: { params: { error: 'INVALID_MESSAGE_ID' } } },
    },
    async (request, reply) => {
      const { messageId } = request.params;
      const result = await resolveUncertainMessage(
        {
          sql: deps.sql,
          today: localDateOf(new Date(), deps.timeZone),
          nextChannel: (tx, failed) => handOverContact(tx, deps.handOver, failed),
        },
        messageId,
        request.body.outcome,
      );
      if (!result.resolved) {
        return reply
          .code(result.reason === 'MESSAGE_NOT_FOUND' ? 404 : 409)
          .send({ error: result.reason, message: 'the message was not settled' });
      }
      if (result.handedOver) await dispatchMessage(deps.queues, deps.handOver.window, result.handedOver);
      return reply.send({
        messageId,
        status: result.status,
        handedOverTo: result.handedOver && { messageId: result.handedOver.id, channel: result.handedOver.channel },
      });
    },
  );
}
