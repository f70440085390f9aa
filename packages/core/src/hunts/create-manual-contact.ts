// A contact asked for by hand in the web app: the same checks, reservations and lifecycle as a
// hunt's contacts, on the channel and template the user chose.
import type { Sql } from '../db/client.js';
import { loadCandidate } from './select-candidates.js';
import { renderTemplate, textTemplateProblem } from '../templates/render-template.js';
import type { Channel } from '../channel.js';
import { createMessage } from '../messages/create-message.js';
import type { MessageRejection } from '../messages/message-rejection.js';

export interface ManualContact {
  accountId: string;
  adId: string;
  channel: Channel;
  templateId: string;
  localDate: string;
  whatsappDailyCap: number;
}

export type ManualContactResult =
  | { created: true; messageId: string; recipientPhone: string }
  | {
      created: false;
      reason:
        | MessageRejection
        | 'AD_NOT_FOUND'
        | 'TEMPLATE_NOT_FOUND'
        | 'TEMPLATE_EMPTY'
        | 'TEMPLATE_UNKNOWN_PLACEHOLDER'
        | 'SALESMEN_REFUSED';
    };

export async function createManualContact(sql: Sql, input: ManualContact): Promise<ManualContactResult> {
  const [template] = await sql<{ content: string | null }[]>`
    select content from message_templates
    where id = ${input.templateId} and account_id = ${input.accountId} and channel = ${input.channel}`;
  if (!template) return { created: false, reason: 'TEMPLATE_NOT_FOUND' };
  const textProblem = input.channel === 'ringless_voice' ? null : textTemplateProblem(template.content);
  if (textProblem) return { created: false, reason: textProblem };
  const candidate = await loadCandidate(sql, input.accountId, input.adId, input.localDate);
  if (!candidate) return { created: false, reason: 'AD_NOT_FOUND' };
  const [ad] = await sql<
    { acceptSalesmen: boolean }[]
  >`select accept_salesmen as "acceptSalesmen" from ads where id = ${input.adId}`;
  if (!ad!.acceptSalesmen) return { created: false, reason: 'SALESMEN_REFUSED' };
  const content = input.channel === 'ringless_voice' ? null : renderTemplate(template.content!, candidate.values);
  return createMessage(sql, {
    accountId: input.accountId,
    adId: input.adId,
    channel: input.channel,
    recipientPhone: candidate.phone,
    content,
    templateId: input.templateId,
    localDate: input.localDate,
    whatsappDailyCap: input.whatsappDailyCap,
  });
}
