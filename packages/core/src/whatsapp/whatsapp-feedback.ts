// What an account's WhatsApp socket hears back (providers.md §4.7): receipts of our messages,
// replies from the people contacted, and error acks. Receipts are matched by key id only — the
// receipt's remoteJid may be the recipient's @lid although we sent to their number.
import type { BaileysEventMap, WAMessageUpdate } from '@whiskeysockets/baileys';
import pRetry from 'p-retry';
import type { Sql } from '../db/client.js';
import type { Logger } from '../logging/logger.js';
import { recordInboundMessage, recordReceipt, type Receipt } from '../messages/delivery-feedback.js';
import { failSentMessage } from '../messages/fail-sent-message.js';
import { giveBackHuntPlace } from '../messages/fail-message.js';
import { toE164 } from '../phone/phone-number.js';

/**
 * proto.WebMessageInfo.Status: 3 DELIVERY_ACK, 4 READ, 5 PLAYED (audio). 0 ERROR, 1 PENDING,
 * 2 SERVER_ACK say nothing new.
 */
const RECEIPTS: Record<number, Receipt> = { 3: 'delivered', 4: 'read', 5: 'read' };
const REACHOUT_TIME_LOCK = '463';

export interface WhatsAppFeedbackDeps {
  sql: Sql;
  accountId: string;
  logger: Logger;
  /** WhatsApp refused a message with 463: the account must stop new chats for a while. */
  onTimeLock: () => Promise<void>;
  /** Whether this process sent the message with this key id moments ago. */
  sentRecently: (keyId: string) => boolean;
  /** The number Baileys paired with this @lid (known for numbers the account wrote to), or null. */
  pnForLid: (lid: string) => Promise<string | null>;
}

/** Seconds since the epoch as Baileys gives them (a number or a protobuf Long) → Date. */
function timestampOf(value: unknown): Date {
  const seconds = Number(value); // a Long converts through its toString
  return Number.isFinite(seconds) && seconds > 0 ? new Date(seconds * 1000) : new Date();
}

const isPnJid = (jid: string | null | undefined): jid is string => !!jid?.endsWith('@s.whatsapp.net');

/**
 * The sender's number: the PN JID, or, when WhatsApp addressed the message by LID, its PN twin
 * (remoteJidAlt) — which v7 may leave out, so then the pair Baileys stored when we wrote to them.
 */
async function senderPhone(
  deps: WhatsAppFeedbackDeps,
  key: { remoteJid?: string | null; remoteJidAlt?: string | null },
): Promise<string | null> {
  let jid = [key.remoteJid, key.remoteJidAlt].find(isPnJid);
  if (!jid && key.remoteJid?.endsWith('@lid')) jid = (await deps.pnForLid(key.remoteJid)) ?? undefined;
  return isPnJid(jid) ? toE164(`+${jid.split('@')[0]!.split(':')[0]!}`) : null;
}

export async function onMessagesUpdate(
  deps: WhatsAppFeedbackDeps,
  updates: BaileysEventMap['messages.update'],
): Promise<void> {
  await Promise.all(updates.map((u) => onMessageUpdate(deps, u)));
}

async function onMessageUpdate(deps: WhatsAppFeedbackDeps, { key, update }: WAMessageUpdate): Promise<void> {
  const status = Number(update.status);
  if (status === 0 && (update.messageStubParameters as unknown[] | null | undefined)?.[0] === REACHOUT_TIME_LOCK) {
    await deps.onTimeLock();
    // The recipient never got it: failed, its ad open again once the pause is over (not burned).
    if (key.id) await onceSendRecorded(deps, key.id, 'error 463', () => failTimeLocked(deps, key.id!));
    return;
  }
  // Not gated on key.fromMe: Baileys clears it when the receipt stanza names a recipient, and
  // only the account's own sent messages carry external ids anyway.
  const receipt = RECEIPTS[status];
  if (receipt && key.id) {
    const at = new Date();
    await onceSendRecorded(deps, key.id, `${receipt} receipt`, async () =>
      Boolean(await recordReceipt(deps.sql, { accountId: deps.accountId, externalId: key.id!, status: receipt, at })),
    );
  }
}

async function failTimeLocked(deps: WhatsAppFeedbackDeps, keyId: string): Promise<boolean> {
  const failed = await deps.sql.begin(async (tx) => {
    const message = await failSentMessage(tx, {
      accountId: deps.accountId,
      channel: 'whatsapp_text',
      externalId: keyId,
      code: 'WHATSAPP_REACHOUT_TIME_LOCK',
      reason: 'WhatsApp refused the message (463: reach-out time lock)',
      blame: 'sender',
    });
    // It reached nobody, through the dealer's account: as other setup failures, its hunt place comes back.
    if (message) await giveBackHuntPlace(tx, message);
    return message;
  });
  return failed !== null;
}

/**
 * What WhatsApp says of a message can overtake the recording of its own send (the key id is
 * written once the send returns): for a message this process just sent, `apply` (false: no
 * recorded message matched) is tried again shortly.
 */
async function onceSendRecorded(
  deps: WhatsAppFeedbackDeps,
  keyId: string,
  what: string,
  apply: () => Promise<boolean>,
): Promise<void> {
  await pRetry(
    async () => {
      if (!(await apply()) && deps.sentRecently(keyId)) throw new Error(`the send of this ${what} is not recorded yet`);
    },
    { retries: 6, minTimeout: 100, maxTimeout: 2_000 },
  ).catch(() => deps.logger.warn({ what }, 'what WhatsApp said of a message matched no recorded message'));
}

export async function onMessagesUpsert(
  deps: WhatsAppFeedbackDeps,
  { messages }: BaileysEventMap['messages.upsert'],
): Promise<void> {
  for (const message of messages) {
    if (message.key.fromMe || !message.key.id) continue;
    const body = message.message?.conversation ?? message.message?.extendedTextMessage?.text;
    if (!body) continue;
    const phone = await senderPhone(deps, message.key);
    if (!phone) {
      deps.logger.debug({ accountId: deps.accountId }, 'a WhatsApp text with no known sender number was not recorded');
      continue;
    }
    const result = await recordInboundMessage(deps.sql, {
      accountId: deps.accountId,
      channel: 'whatsapp_text',
      phone,
      body,
      receivedAt: timestampOf(message.messageTimestamp),
      externalId: message.key.id,
    });
    if (result.outcome !== 'ignored' && result.outcome !== 'duplicate')
      deps.logger.info({ outcome: result.outcome }, 'WhatsApp reply recorded');
  }
}

/** Key ids this process sent in the last minute, oldest first: their receipts may come before their recording. */
export function createRecentSends(windowMs = 60_000) {
  const sentAt = new Map<string, number>();
  return {
    remember(keyId: string): void {
      const now = Date.now();
      for (const [id, at] of sentAt) {
        if (now - at < windowMs) break;
        sentAt.delete(id);
      }
      sentAt.set(keyId, now);
    },
    has: (keyId: string) => sentAt.has(keyId),
  };
}
