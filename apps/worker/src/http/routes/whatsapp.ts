import type { FastifyInstance } from 'fastify';
import QRCode from 'qrcode';
import { z } from 'zod';
import { ROUTES, toE164, whatsAppSessionStatus } from '@auto-prospect/core';
import type { Sql, WhatsAppConnections } from '@auto-prospect/core/clients';
import { describeRoute } from '../openapi.js';

const params = z.object({ accountId: z.uuid() });
const linkBody = z.object({ phoneNumber: z.string().refine((p) => toE164(p) !== null, 'must be a valid phone number').optional() }).strict();

export function registerWhatsAppRoutes(app: FastifyInstance, deps: { sql: Sql; whatsapp: WhatsAppConnections }): void {
  // Starts linking: a QR code (data URL) to scan, or a pairing code when a phone number is given.
  app.post(ROUTES.whatsappLink, { schema: describeRoute({ tag: 'whatsapp', summary: 'Starts linking: QR code, or pairing code for a phone number', params, body: linkBody }) }, async (request, reply) => {
    const account = params.safeParse(request.params);
    const body = linkBody.safeParse(request.body ?? {});
    if (!account.success) return reply.code(400).send({ error: 'INVALID_ACCOUNT_ID', message: 'accountId must be a UUID' });
    if (!body.success) return reply.code(400).send({ error: 'INVALID_BODY', message: body.error.issues.map((i) => `${i.path.join('.') || 'body'} ${i.message}`).join('; ') });
    const status = await whatsAppSessionStatus(deps.sql, account.data.accountId);
    if (!status) return reply.code(404).send({ error: 'NOT_FOUND', message: 'no such account' });
    const phone = body.data.phoneNumber ? toE164(body.data.phoneNumber)! : undefined;
    const linked = await deps.whatsapp.link(account.data.accountId, phone);
    if ('qr' in linked) return reply.code(202).send({ qr: await QRCode.toDataURL(linked.qr) });
    return reply.code('pairingCode' in linked ? 202 : 200).send(linked);
  });

  app.get(ROUTES.whatsappLink, { schema: describeRoute({ tag: 'whatsapp', summary: 'Session status of an account', params }) }, async (request, reply) => {
    const account = params.safeParse(request.params);
    if (!account.success) return reply.code(400).send({ error: 'INVALID_ACCOUNT_ID', message: 'accountId must be a UUID' });
    const status = await whatsAppSessionStatus(deps.sql, account.data.accountId);
    if (!status) return reply.code(404).send({ error: 'NOT_FOUND', message: 'no such account' });
    return reply.send(status);
  });

  app.delete(ROUTES.whatsappLink, { schema: describeRoute({ tag: 'whatsapp', summary: 'Logs the linked device out', params }) }, async (request, reply) => {
    const account = params.safeParse(request.params);
    if (!account.success) return reply.code(400).send({ error: 'INVALID_ACCOUNT_ID', message: 'accountId must be a UUID' });
    if (!(await whatsAppSessionStatus(deps.sql, account.data.accountId))?.linked) return reply.code(404).send({ error: 'NOT_LINKED', message: 'no linked WhatsApp session for this account' });
    await deps.whatsapp.logout(account.data.accountId);
    return reply.code(202).send({ loggingOut: true });
  });
}
