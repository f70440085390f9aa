import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { CHANNELS, createManualContact, handOverContact, listUncertainMessages, localDateOf, resolveUncertainMessage, ROUTES, type HandOverDeps } from '@auto-prospect/core';
import type { Sql } from '@auto-prospect/core/clients';
import { dispatchMessage } from '../../jobs/dispatch.js';
import type { Queues } from '../../jobs/queues.js';
import { describeRoute } from '../openapi.js';

const body = z.object({ accountId: z.uuid(), adId: z.uuid(), channel: z.enum(CHANNELS), templateId: z.uuid() }).strict();
const NOT_FOUND = new Set(['AD_NOT_FOUND', 'TEMPLATE_NOT_FOUND']);
const listQuery = z.object({ status: z.literal('uncertain') }).strict();
const resolveParams = z.object({ messageId: z.uuid() });
const resolveBody = z.object({ outcome: z.enum(['sent', 'not_sent']) }).strict();
/** Most uncertain messages listed at once (oldest first). */
const UNCERTAIN_LIST_LIMIT = 500;

const invalid = (issues: z.core.$ZodIssue[]) => issues.map((i) => `${i.path.join('.') || 'body'} ${i.message}`).join('; ');

export function registerMessageRoutes(
  app: FastifyInstance, deps: { sql: Sql; queues: Queues; timeZone: string; whatsappDailyCap: number; handOver: HandOverDeps },
): void {
  // A manual contact: same lifecycle, credits and checks as a hunt's.
  app.post(ROUTES.messages, { schema: describeRoute({ tag: 'messages', summary: 'A manual contact, with the same lifecycle, credits and checks', body }) }, async (request, reply) => {
    const input = body.safeParse(request.body);
    if (!input.success) return reply.code(400).send({ error: 'INVALID_BODY', message: invalid(input.error.issues) });
    const result = await createManualContact(deps.sql, { ...input.data, localDate: localDateOf(new Date(), deps.timeZone), whatsappDailyCap: deps.whatsappDailyCap });
    if (!result.created) {
      return reply.code(NOT_FOUND.has(result.reason) ? 404 : 409).send({ error: result.reason, message: 'the contact was not created' });
    }
    await dispatchMessage(deps.queues, { id: result.messageId, channel: input.data.channel });
    return reply.code(202).send({ messageId: result.messageId });
  });

  // Messages whose send outcome is unknown (cut off mid-call), for an operator to settle.
  app.get(ROUTES.messages, { schema: describeRoute({ tag: 'messages', summary: 'Uncertain messages, oldest first (?status=uncertain)', querystring: listQuery }) }, async (request, reply) => {
    const query = listQuery.safeParse(request.query);
    if (!query.success) return reply.code(400).send({ error: 'INVALID_QUERY', message: invalid(query.error.issues) });
    return reply.send({ messages: await listUncertainMessages(deps.sql, UNCERTAIN_LIST_LIMIT) });
  });

  app.post(ROUTES.messageResolve, { schema: describeRoute({ tag: 'messages', summary: 'Settles an uncertain message: sent, or not sent (handed on the same day)', params: resolveParams, body: resolveBody }) }, async (request, reply) => {
    const params = resolveParams.safeParse(request.params);
    const input = resolveBody.safeParse(request.body);
    if (!params.success) return reply.code(400).send({ error: 'INVALID_MESSAGE_ID', message: 'messageId must be a UUID' });
    if (!input.success) return reply.code(400).send({ error: 'INVALID_BODY', message: invalid(input.error.issues) });
    const result = await resolveUncertainMessage({
      sql: deps.sql, today: localDateOf(new Date(), deps.timeZone), nextChannel: (tx, failed) => handOverContact(tx, deps.handOver, failed),
    }, params.data.messageId, input.data.outcome);
    if (!result.resolved) {
      return reply.code(result.reason === 'MESSAGE_NOT_FOUND' ? 404 : 409).send({ error: result.reason, message: 'the message was not settled' });
    }
    if (result.handedOver) await dispatchMessage(deps.queues, result.handedOver);
    return reply.send({ messageId: params.data.messageId, status: result.status, handedOverTo: result.handedOver && { messageId: result.handedOver.id, channel: result.handedOver.channel } });
  });
}
