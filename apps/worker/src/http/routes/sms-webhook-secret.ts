// An operator stores the account's SMSMobileAPI Webhook V2 secret (shown where the endpoint is
// set up in the provider's dashboard), encrypted like sms_api_key; from then on its replies are
// pushed, not polled. `null` removes it (back to polling). The secret is never sent back.
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { encryptSecret, ROUTES } from '@auto-prospect/core';
import type { Sql } from '@auto-prospect/core/clients';
import { describeRoute } from '../openapi.js';

const params = z.object({ accountId: z.uuid() });
const body = z.object({ secret: z.string().trim().min(1).max(500).nullable() }).strict();

export function registerSmsWebhookSecretRoute(app: FastifyInstance, deps: { sql: Sql; smsKeyEncryptionKey: string }): void {
  app.put(ROUTES.smsWebhookSecret, {
    schema: describeRoute({ tag: 'accounts', summary: "Stores (or, with null, removes) the account's SMSMobileAPI Webhook V2 secret", params, body }),
  }, async (request, reply) => {
    const account = params.safeParse(request.params);
    const input = body.safeParse(request.body);
    if (!account.success) return reply.code(400).send({ error: 'INVALID_ACCOUNT_ID', message: 'accountId must be a UUID' });
    if (!input.success) return reply.code(400).send({ error: 'INVALID_BODY', message: 'secret must be a non-empty string of at most 500 characters, or null' });
    const { secret } = input.data;
    const updated = await deps.sql`
      update accounts set sms_webhook_secret = ${secret === null ? null : encryptSecret(secret, deps.smsKeyEncryptionKey)}
      where id = ${account.data.accountId}`;
    if (updated.count === 0) return reply.code(404).send({ error: 'NOT_FOUND', message: 'no such account' });
    return reply.code(204).send();
  });
}
