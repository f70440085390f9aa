// Writes a page of assignments in a bounded number of statements, inside the caller's transaction
// (which holds the account's allocation lock): one multi-row insert of the messages, then the
// credits, WhatsApp slots and hunt count they use, reserved at once. Check constraints make an
// over-reservation impossible for any writer. A row the unique indexes refuse (a writer outside
// the account's lock was first, e.g. the web app) refuses the whole page: nothing of it is
// allocated or reserved, and the caller's next selection leaves that ad out. A plain insert
// costs far less than one that checks every unique index for conflicts before each row.
import { isUniqueViolation, type Queryable, type Transaction } from '../db/client.js';
import { CHANNELS, type Channel } from '../channel.js';
import { compileTemplate } from '../templates/render-template.js';
import type { AllocationTarget } from './allocation-room.js';
import type { Assignment } from './assign-channels.js';
import type { PlannedChannel } from './hunt-plan.js';

export interface Allocated {
  id: string;
  accountId: string;
  adId: string;
  channel: Channel;
  recipientPhone: string;
  sendAt: Date;
}

export interface AllocationWrite {
  target: AllocationTarget;
  /** The hunt's usable channels with their templates. */
  channels: readonly PlannedChannel[];
  /** When the channel's next message should go (sending window and the account's pacing). */
  nextSendAt(channel: Channel): Date;
  /**
   * The hunt's limit read under the lock, recorded with the count it bounds; null for a hand-over,
   * whose contact was counted against the hunt when first allocated.
   */
  countAgainstHunt: { dailyLimit: number | null } | null;
}

export async function allocateContacts(
  tx: Transaction,
  write: AllocationWrite,
  assignments: readonly Assignment[],
): Promise<Allocated[]> {
  if (assignments.length === 0) return [];
  try {
    return await tx.savepoint((page) => writeAllocations(page, write, assignments));
  } catch (err) {
    // A unique index or the contacted_ads check (a history row another writer added since the
    // selection) refuses the whole statement: nothing of this page is allocated.
    if (isUniqueViolation(err)) return [];
    throw err;
  }
}

async function writeAllocations(
  tx: Queryable,
  write: AllocationWrite,
  assignments: readonly Assignment[],
): Promise<Allocated[]> {
  const inserted = await insertMessages(tx, write.target, messageRows(write, assignments));
  await reserveUsage(tx, write, inserted);
  return inserted;
}

interface MessageRow {
  adId: Assignment['candidate']['adId'];
  channel: Channel;
  phone: Assignment['candidate']['phone'];
  templateId: PlannedChannel['templateId'];
  scheduledAt: Date;
  content: string | null;
}

/** The page's messages, each rendered with its channel's template and given its send time. */
function messageRows(write: AllocationWrite, assignments: readonly Assignment[]): MessageRow[] {
  // Each channel's template is checked once, then rendered for every contact of the page.
  const templates = new Map(
    write.channels.map((c) => [
      c.channel,
      { id: c.templateId, render: c.template === null ? null : compileTemplate(c.template) },
    ]),
  );
  return assignments.map(({ candidate, channel }) => {
    const template = templates.get(channel)!;
    return {
      adId: candidate.adId,
      channel,
      phone: candidate.phone,
      templateId: template.id,
      scheduledAt: write.nextSendAt(channel),
      content: template.render === null ? null : template.render(candidate.values),
    };
  });
}

async function insertMessages(tx: Queryable, target: AllocationTarget, rows: MessageRow[]): Promise<Allocated[]> {
  const column = <T>(pick: (row: MessageRow) => T) => rows.map(pick);
  // One statement of the same shape whatever the page's size (columns as arrays): prepared once.
  return tx<Allocated[]>`
    insert into messages (account_id, ad_id, hunt_id, template_id, channel, content, recipient_phone, daily_run_id,
                          local_date, scheduled_at, credit_state)
    select ${target.accountId}, r.ad_id, ${target.huntId}, r.template_id, r.channel, r.content, r.phone,
           ${target.dailyRunId}::uuid, ${target.localDate}::date, r.scheduled_at,
           case when r.channel = 'whatsapp_text' then 'none' else 'reserved' end::credit_state
    from unnest(${column((r) => r.adId)}::uuid[], ${column((r) => r.channel)}::channel[],
                ${column((r) => r.phone)}::text[], ${column((r) => r.templateId)}::uuid[],
                ${column((r) => r.scheduledAt.toISOString())}::timestamptz[], ${column((r) => r.content)}::text[])
         as r(ad_id, channel, phone, template_id, scheduled_at, content)
    returning id, account_id as "accountId", ad_id as "adId", channel, recipient_phone as "recipientPhone",
              scheduled_at as "sendAt"`;
}

/** Reserves the credits, WhatsApp slots and hunt count the inserted messages use. */
async function reserveUsage(tx: Queryable, write: AllocationWrite, inserted: readonly Allocated[]): Promise<void> {
  const { target } = write;
  const used = Object.fromEntries(CHANNELS.map((c) => [c, inserted.filter((m) => m.channel === c).length])) as Record<
    Channel,
    number
  >;
  if (used.sms + used.ringless_voice > 0) {
    await tx`
      update credit_balances set sms_reserved = sms_reserved + ${used.sms},
        ringless_voice_reserved = ringless_voice_reserved + ${used.ringless_voice}, updated_at = now()
      where account_id = ${target.accountId}`;
  }
  if (used.whatsapp_text > 0) {
    await tx`
      insert into account_daily_sends (account_id, channel, local_date, reserved, daily_cap)
      values (${target.accountId}, 'whatsapp_text', ${target.localDate}, ${used.whatsapp_text},
              ${target.whatsappDailyCap})
      on conflict (account_id, channel, local_date)
        do update set reserved = account_daily_sends.reserved + excluded.reserved`;
  }
  if (write.countAgainstHunt && inserted.length > 0) {
    await tx`
      insert into hunt_daily_contacts (hunt_id, local_date, contacts, daily_limit)
      values (${target.huntId}, ${target.localDate}, ${inserted.length}, ${write.countAgainstHunt.dailyLimit})
      on conflict (hunt_id, local_date)
        do update set contacts = hunt_daily_contacts.contacts + excluded.contacts, daily_limit = excluded.daily_limit`;
  }
}
