// An operator stores the account's SMSMobileAPI Webhook V2 secret (shown where the endpoint is
// set up in the provider's dashboard), encrypted like sms_api_key; from then on its replies are
// pushed, not polled. `null` removes it (back to polling). The secret is never sent back.
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { ROUTES, storeSmsWebhookSecret } from '@auto-prospect/core';
import type { Sql } from '@auto-prospect/core/clients';
import { errors } from '../errors.js';
import { describeRoute } from '../openapi.js';

const params = z.object({ accountId: z.guid('must be a UUID') });
const body = z.object({ secret: z.string().trim().min(1).max(500).nullable() }).strict();

export function registerSmsWebhookSecretRoute(
  instance: FastifyInstance,
  deps: { sql: Sql; smsKeyEncryptionKey: string },
): void {
  instance.withTypeProvider<ZodTypeProvider>().put(
    ROUTES.smsWebhookSecret,
    {
      schema: {
        ...describeRoute({
          tag: 'accounts',
          summary: "Stores (or, with null, removes) the account's SMSMobileAPI Webhook V2 secret",
        }),
        params,
        body,
        response: { 204: z.undefined().describe('Stored (or removed)'), ...errors(400, 401, 404, 429) },
      },
      config: {
        invalid: {
          params: { error: 'INVALID_ACCOUNT_ID' },
          body: {
            error: 'INVALID_BODY',
            message: 'secret must be a non-empty string of at most 500 characters, or null',
          },
        },
      },
    },
    async (request, reply) => {
      const stored = await storeSmsWebhookSecret(
        deps.sql,
        request.params.accountId,
        request.body.secret,
        deps.smsKeyEncryptionKey,
      );
      if (!stored) return reply.code(404).send({ error: 'NOT_FOUND', message: 'no such account' });
      return reply.code(204).send();
    },
  );
}
