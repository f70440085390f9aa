import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { CHANNELS, createManualContact, localDateOf, ROUTES } from '@auto-prospect/core';
import type { Sql } from '@auto-prospect/core/clients';
import { dispatchMessage } from '../../jobs/dispatch.js';
import type { Queues } from '../../jobs/queues.js';
import { describeRoute } from '../openapi.js';

const body = z.object({ accountId: z.uuid(), adId: z.uuid(), channel: z.enum(CHANNELS), templateId: z.uuid() }).strict();
const NOT_FOUND = new Set(['AD_NOT_FOUND', 'TEMPLATE_NOT_FOUND']);

export function registerMessageRoutes(app: FastifyInstance, deps: { sql: Sql; queues: Queues; timeZone: string; whatsappDailyCap: number }): void {
  // A manual contact: same lifecycle, credits and checks as a hunt's.
  app.post(ROUTES.messages, { schema: describeRoute({ tag: 'messages', summary: 'A manual contact, with the same lifecycle, credits and checks', body }) }, async (request, reply) => {
    const input = body.safeParse(request.body);
    if (!input.success) return reply.code(400).send({ error: 'INVALID_BODY', message: input.error.issues.map((i) => `${i.path.join('.') || 'body'} ${i.message}`).join('; ') });
    const result = await createManualContact(deps.sql, { ...input.data, localDate: localDateOf(new Date(), deps.timeZone), whatsappDailyCap: deps.whatsappDailyCap });
    if (!result.created) {
      return reply.code(NOT_FOUND.has(result.reason) ? 404 : 409).send({ error: result.reason, message: 'the contact was not created' });
    }
    await dispatchMessage(deps.queues, { id: result.messageId, channel: input.data.channel });
    return reply.code(202).send({ messageId: result.messageId });
  });
}
