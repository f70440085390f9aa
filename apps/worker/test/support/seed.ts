// Small fixtures for delivery tests: accounts, ads, templates, linked WhatsApp sessions, contacts.
import { randomBytes } from 'node:crypto';
import { expect } from 'vitest';
import { ALWAYS_OPEN, createMessage, encryptSecret, type Channel, type CreateMessageResult } from '@auto-prospect/core';
import { loadDatabaseAuthState, type Sql } from '@auto-prospect/core/clients';
import { dispatchMessage } from '../../src/jobs/dispatch.js';
import type { WorkerContext } from '../../src/context.js';

export interface SeededAccount {
  id: string;
  smsKey: string | null;
  whatsappDigits: string;
}

let counter = 0;
const unique = () => `${Date.now().toString(36)}${(counter++).toString(36)}${randomBytes(2).toString('hex')}`;

export async function seedAccount(
  context: WorkerContext,
  options: { smsKey?: string | null; smsCredits?: number; voiceCredits?: number } = {},
): Promise<SeededAccount> {
  const { sql, env } = context;
  const smsKey = options.smsKey === undefined ? `sms-key-${unique()}` : options.smsKey;
  const whatsappDigits = `3361${String(Math.floor(Math.random() * 1e7)).padStart(7, '0')}`;
  const [row] = await sql<{ id: string }[]>`
    insert into accounts (email, name, fixed_phone_number, whatsapp_phone_number, sms_api_key)
    values (${`${unique()}@dealer.fr`}, 'Garage', '+33612000000', ${whatsappDigits},
            ${smsKey === null ? null : encryptSecret(smsKey, env.SMS_API_KEY_ENCRYPTION_KEY)})
    returning id`;
  await sql`
    insert into credit_balances (account_id, sms, ringless_voice)
    values (${row!.id}, ${options.smsCredits ?? 10}, ${options.voiceCredits ?? 10})`;
  return { id: row!.id, smsKey, whatsappDigits };
}

export async function seedAd(sql: Sql, phone: string): Promise<string> {
  const [row] = await sql<{ id: string }[]>`
    insert into ads (original_ad_id, phone_number, has_phone, title)
    values (${unique()}, ${phone}, true, 'Clio 4') returning id`;
  return row!.id;
}

export async function seedTemplate(
  sql: Sql,
  accountId: string,
  channel: Channel,
  tokenAudio: string | null = null,
): Promise<string> {
  const [row] = await sql<{ id: string }[]>`
    insert into message_templates (account_id, name, channel, content, voice_partner_token_audio)
    values (${accountId}, 'first', ${channel}, ${channel === 'ringless_voice' ? null : 'Bonjour !'}, ${tokenAudio})
    returning id`;
  return row!.id;
}

/** A linked WhatsApp device for the account, as if its QR code had been scanned. */
export async function linkWhatsApp(context: WorkerContext, account: SeededAccount): Promise<void> {
  const auth = await loadDatabaseAuthState(context.sql, account.id, context.env.WHATSAPP_ENCRYPTION_KEY);
  Object.assign(auth.state.creds, {
    registered: true,
    me: { id: `${account.whatsappDigits}:1@s.whatsapp.net`, name: 'Garage' },
  });
  await auth.saveCreds();
  await context.sql`update whatsapp_sessions set is_connected = true where account_id = ${account.id}`;
}

/** Creates a pending message (reserving what it uses) without dispatching it. */
export async function createPending(
  context: WorkerContext,
  input: { accountId: string; phone: string; channel: Channel; templateId?: string | null; text?: string },
): Promise<CreateMessageResult> {
  return createMessage(context.sql, {
    accountId: input.accountId,
    adId: await seedAd(context.sql, input.phone),
    channel: input.channel,
    recipientPhone: input.phone,
    content: input.channel === 'ringless_voice' ? null : (input.text ?? 'Bonjour, votre annonce nous intéresse.'),
    templateId: input.templateId ?? null,
    localDate: '2026-11-30',
    whatsappDailyCap: context.env.WHATSAPP_DAILY_CAP,
  });
}

/** Creates the message (reserving what it uses) and dispatches its job, as the hunt usecase will. */
export async function contact(
  context: WorkerContext,
  input: { accountId: string; phone: string; channel: Channel; templateId?: string | null; text?: string },
): Promise<string> {
  const created = await createPending(context, input);
  if (!created.created) throw new Error(`message not created: ${created.reason}`);
  await dispatchMessage(context.queues, ALWAYS_OPEN, {
    id: created.messageId,
    accountId: input.accountId,
    channel: input.channel,
    recipientPhone: input.phone,
  });
  return created.messageId;
}

export interface MessageRow {
  status: string;
  error_code: string | null;
  external_id: string | null;
  credit_state: string;
}

export async function messageRow(sql: Sql, id: string): Promise<MessageRow> {
  const [row] = await sql<
    MessageRow[]
  >`select status, error_code, external_id, credit_state from messages where id = ${id}`;
  return row!;
}

/** Waits until the message leaves pending/sending. */
export async function settled(sql: Sql, id: string, timeout = 15_000): Promise<MessageRow> {
  await expect.poll(async () => (await messageRow(sql, id)).status, { timeout }).not.toMatch(/^(pending|sending)$/);
  return messageRow(sql, id);
}

export async function credits(sql: Sql, accountId: string) {
  const [row] = await sql<
    { sms: number; sms_reserved: number; ringless_voice: number; ringless_voice_reserved: number }[]
  >`
    select sms, sms_reserved, ringless_voice, ringless_voice_reserved from credit_balances
    where account_id = ${accountId}`;
  return row!;
}
