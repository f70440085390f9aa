// Voice Partner's notifyUrl: a GET "with the campaign status" whose parameters are undocumented.
// The secret is the :token in the URL (Voice Partner sends no signature), compared in constant
// time; the raw query is kept on the campaign's messages. Unknown campaigns answer 200 too: the
// caller cannot fix them by retrying.
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { recordVoiceNotification, ROUTES } from '@auto-prospect/core';
import type { Sql } from '@auto-prospect/core/clients';
import { requireUrlToken } from '../auth.js';
import { errors } from '../errors.js';
import { describeRoute } from '../openapi.js';

// Stored as JSON: a NUL character (which Postgres refuses in jsonb) is a 400, never a 500.
const text = z
  .string()
  .max(2000)
  .refine((v) => !v.includes('\u0000'), 'must not contain NUL characters');
const notifyQuery = z.record(z.string().max(100), z.union([text, z.array(text).max(20)]));

export function registerVoicePartnerNotify(
  instance: FastifyInstance,
  deps: { sql: Sql; notifyToken: string; perMinute: number },
): void {
  instance.withTypeProvider<ZodTypeProvider>().get(
    ROUTES.voicePartnerNotify,
    {
      schema: {
        ...describeRoute({
          tag: 'webhooks',
          summary: "Voice Partner notifyUrl: the raw query is kept on the campaign's messages",
          bearer: false,
        }),
        params: z.object({ token: z.string() }),
        querystring: notifyQuery,
        response: {
          200: z.object({ recorded: z.int().describe('messages the report was kept on') }),
          ...errors(400, 401, 429),
        },
      },
      onRequest: requireUrlToken(deps.notifyToken),
      // The URL holds the secret: keep it out of request logs.
      logLevel: 'warn',
      config: { rateLimit: { max: deps.perMinute, timeWindow: 60_000 } },
    },
    async (request, reply) =>
      reply.code(200).send({ recorded: await recordVoiceNotification(deps.sql, request.query) }),
  );
}
