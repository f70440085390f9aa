import type { FastifyInstance } from 'fastify';
import QRCode from 'qrcode';
import { z } from 'zod';
import { ROUTES, toE164 } from '@auto-prospect/core';
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
    const [exists] = await deps.sql`select 1 from accounts where id = ${account.data.accountId}`;
    if (!exists) return reply.code(404).send({ error: 'NOT_FOUND', message: 'no such account' });
    const phone = body.data.phoneNumber ? toE164(body.data.phoneNumber)! : undefined;
    const linked = await deps.whatsapp.link(account.data.accountId, phone);
    if ('qr' in linked) return reply.code(202).send({ qr: await QRCode.toDataURL(linked.qr) });
    return reply.code('pairingCode' in linked ? 202 : 200).send(linked);
  });

  app.get(ROUTES.whatsappLink, { schema: describeRoute({ tag: 'whatsapp', summary: 'Session status of an account', params }) }, async (request, reply) => {
    const account = params.safeParse(request.params);
    if (!account.success) return reply.code(400).send({ error: 'INVALID_ACCOUNT_ID', message: 'accountId must be a UUID' });
    const [row] = await deps.sql<{ linked: boolean; connected: boolean; disconnected: boolean; lastConnectedAt: Date | null; pausedFor: string | null }[]>`
      select w.credentials is not null as linked, coalesce(w.is_connected, false) as connected, coalesce(w.is_disconnected, false) as disconnected,
             w.last_connected_at as "lastConnectedAt", p.reason_code as "pausedFor"
      from accounts a left join whatsapp_sessions w on w.account_id = a.id
      left join active_channel_pauses p on p.account_id = a.id and p.channel = 'whatsapp_text'
      where a.id = ${account.data.accountId}`;
    if (!row) return reply.code(404).send({ error: 'NOT_FOUND', message: 'no such account' });
    return reply.send(row);
  });

  app.delete(ROUTES.whatsappLink, { schema: describeRoute({ tag: 'whatsapp', summary: 'Logs the linked device out', params }) }, async (request, reply) => {
    const account = params.safeParse(request.params);
    if (!account.success) return reply.code(400).send({ error: 'INVALID_ACCOUNT_ID', message: 'accountId must be a UUID' });
    const [session] = await deps.sql`select 1 from whatsapp_sessions where account_id = ${account.data.accountId} and credentials is not null`;
    if (!session) return reply.code(404).send({ error: 'NOT_LINKED', message: 'no linked WhatsApp session for this account' });
    await deps.whatsapp.logout(account.data.accountId);
    return reply.code(202).send({ loggingOut: true });
  });
}
