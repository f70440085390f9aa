import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import QRCode from 'qrcode';
import { z } from 'zod';
import { ROUTES, toE164, whatsAppSessionStatus } from '@auto-prospect/core';
import type { Sql, WhatsAppConnections } from '@auto-prospect/core/clients';
import { errors } from '../errors.js';
import { describeRoute } from '../openapi.js';

const params = z.object({ accountId: z.guid('must be a UUID') });
// No body at all is the same as {} (a QR code).
const linkBody = z
  .object({
    phoneNumber: z
      .string()
      .refine((p) => toE164(p) !== null, 'must be a valid phone number')
      .optional(),
  })
  .strict()
  .nullish();
const invalid = { params: { error: 'INVALID_ACCOUNT_ID' } };

const linking = z.union([
  z.object({ qr: z.string().describe('PNG data URL to scan') }),
  z.object({ pairingCode: z.string() }),
]);
const status = z.object({
  linked: z.boolean(),
  connected: z.boolean(),
  disconnected: z.boolean(),
  lastConnectedAt: z.date().nullable(),
  pausedFor: z.string().nullable().describe('reason code of an active pause of WhatsApp for the account'),
});

type WhatsAppRouteDeps = { sql: Sql; whatsapp: WhatsAppConnections };

export function registerWhatsAppRoutes(instance: FastifyInstance, deps: WhatsAppRouteDeps): void {
  registerLinkRoute(instance, deps);
  registerStatusRoute(instance, deps);
  registerLogoutRoute(instance, deps);
}

/** Starts linking: a QR code (data URL) to scan, or a pairing code when a phone number is given. */
function registerLinkRoute(instance: FastifyInstance, deps: WhatsAppRouteDeps): void {
  instance.withTypeProvider<ZodTypeProvider>().post(
    ROUTES.whatsappLink,
    {
      schema: {
        ...describeRoute({ tag: 'whatsapp', summary: 'Starts linking: QR code, or pairing code for a phone number' }),
        params,
        body: linkBody,
        response: { 200: z.object({ alreadyLinked: z.literal(true) }), 202: linking, ...errors(400, 401, 404, 429) },
      },
      config: { invalid },
    },
    async (request, reply) => {
      const { accountId } = request.params;
      if (!(await whatsAppSessionStatus(deps.sql, accountId)))
        return reply.code(404).send({ error: 'NOT_FOUND', message: 'no such account' });
      const phone = request.body?.phoneNumber ? toE164(request.body.phoneNumber)! : undefined;
      const linked = await deps.whatsapp.link(accountId, phone);
      if ('qr' in linked) return reply.code(202).send({ qr: await QRCode.toDataURL(linked.qr) });
      return 'pairingCode' in linked ? reply.code(202).send(linked) : reply.code(200).send(linked);
    },
  );
}

/** Session status of an account. */
function registerStatusRoute(instance: FastifyInstance, deps: WhatsAppRouteDeps): void {
  instance.withTypeProvider<ZodTypeProvider>().get(
    ROUTES.whatsappLink,
    {
      schema: {
        ...describeRoute({ tag: 'whatsapp', summary: 'Session status of an account' }),
        params,
        response: { 200: status, ...errors(400, 401, 404, 429) },
      },
      config: { invalid },
    },
    async (request, reply) => {
      const found = await whatsAppSessionStatus(deps.sql, request.params.accountId);
      if (!found) return reply.code(404).send({ error: 'NOT_FOUND', message: 'no such account' });
      return reply.send(found);
    },
  );
}

/** Logs the linked device out. */
function registerLogoutRoute(instance: FastifyInstance, deps: WhatsAppRouteDeps): void {
  instance.withTypeProvider<ZodTypeProvider>().delete(
    ROUTES.whatsappLink,
    {
      schema: {
        ...describeRoute({ tag: 'whatsapp', summary: 'Logs the linked device out' }),
        params,
        response: { 202: z.object({ loggingOut: z.literal(true) }), ...errors(400, 401, 404, 429) },
      },
      config: { invalid },
    },
    async (request, reply) => {
      const { accountId } = request.params;
      if (!(await whatsAppSessionStatus(deps.sql, accountId))?.linked)
        return reply.code(404).send({ error: 'NOT_LINKED', message: 'no linked WhatsApp session for this account' });
      await deps.whatsapp.logout(accountId);
      return reply.code(202).send({ loggingOut: true });
    },
  );
}
