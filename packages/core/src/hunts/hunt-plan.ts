// Which channels a hunt can use today, in priority order (waterfall), and why the others not.
import type { Queryable } from '../db/client.js';
import { decryptSecret } from '../crypto/secret-box.js';
import type { Channel } from '../channel.js';
import { textTemplateProblem } from '../templates/render-template.js';

export interface HuntRow {
  id: string;
  accountId: string;
  status: 'active' | 'paused';
  dailyPacingLimit: number | null;
}

export interface PlannedChannel {
  channel: Channel;
  templateId: string;
  /** Template text (null for voice, which plays pre-recorded audio). */
  template: string | null;
}

export interface HuntPlan {
  hunt: HuntRow;
  /** Usable channels, highest priority first. */
  channels: PlannedChannel[];
  /** Channels the hunt enables but cannot use, with the reason code. */
  unusable: { channel: Channel; reason: string }[];
}

/** outreach_settings and template_ids use the web app's keys. */
const SETTING_KEYS: Record<Channel, string> = {
  sms: 'sms',
  whatsapp_text: 'whatsapp',
  ringless_voice: 'ringlessVoice',
};

/** Reasons that are a misconfiguration to report, not a normal state (e.g. a disabled channel). */
export const CONFIGURATION_ERRORS = new Set([
  'TEMPLATE_MISSING',
  'TEMPLATE_EMPTY',
  'TEMPLATE_UNKNOWN_PLACEHOLDER',
  'SMS_KEY_UNDECRYPTABLE',
]);

export async function loadHuntPlan(
  sql: Queryable,
  huntId: string,
  smsKeyEncryptionKey: string,
): Promise<HuntPlan | null> {
  const row = await loadHuntRow(sql, huntId);
  if (!row) return null;
  const { channels, unusable } = planChannels(row, await loadChannelInputs(sql, row), smsKeyEncryptionKey);
  return {
    hunt: { id: row.id, accountId: row.accountId, status: row.status, dailyPacingLimit: row.dailyPacingLimit },
    channels,
    unusable,
  };
}

/** The hunt with its settings and what its account has set up for each channel. */
interface HuntPlanRow extends HuntRow {
  settings: Record<string, unknown>;
  templateIds: Record<string, unknown>;
  smsApiKey: string | null;
  whatsappPhone: string | null;
  fixedPhone: string | null;
  whatsappConnected: boolean;
}

interface TemplateRow {
  id: string;
  channel: Channel;
  content: string | null;
  tokenAudio: string | null;
}

/** The channel priorities, the hunt's templates and the account's channel pauses (or the platform's holds). */
interface ChannelInputs {
  priorities: { channel: Channel }[];
  templates: TemplateRow[];
  pauses: { channel: Channel; reasonCode: string }[];
}

async function loadHuntRow(sql: Queryable, huntId: string): Promise<HuntPlanRow | undefined> {
  const [row] = await sql<HuntPlanRow[]>`
    select h.id, h.account_id as "accountId", h.status, h.daily_pacing_limit as "dailyPacingLimit",
           h.outreach_settings as settings, h.template_ids as "templateIds",
           a.sms_api_key as "smsApiKey", a.whatsapp_phone_number as "whatsappPhone",
           a.fixed_phone_number as "fixedPhone",
           coalesce(w.is_connected and not w.is_disconnected, false) as "whatsappConnected"
    from hunts h join accounts a on a.id = h.account_id
    left join whatsapp_sessions w on w.account_id = a.id
    where h.id = ${huntId}`;
  return row;
}

async function loadChannelInputs(sql: Queryable, row: HuntPlanRow): Promise<ChannelInputs> {
  // Only well-formed ids reach the uuid[] cast: the web app's JSON may hold anything.
  const templateIds = Object.values(row.templateIds).filter(
    (v): v is string => typeof v === 'string' && /^[0-9a-f-]{36}$/i.test(v),
  );
  const [priorities, templates, pauses] = await Promise.all([
    sql<{ channel: Channel }[]>`select channel from channel_priorities order by priority`,
    sql<TemplateRow[]>`
      select id, channel, content, voice_partner_token_audio as "tokenAudio" from message_templates
      where account_id = ${row.accountId}
        and id = any(${sql.array(templateIds)}::uuid[])`,
    sql<{ channel: Channel; reasonCode: string }[]>`
      select channel, reason_code as "reasonCode" from active_channel_pauses where account_id = ${row.accountId}
      union all
      select channel, reason_code from platform_channel_holds where held_until > now()`,
  ]);
  return { priorities, templates, pauses };
}

/** The enabled channels in priority order, each either usable or unusable with its reason. */
function planChannels(
  row: HuntPlanRow,
  { priorities, templates, pauses }: ChannelInputs,
  smsKeyEncryptionKey: string,
): Pick<HuntPlan, 'channels' | 'unusable'> {
  const channels: PlannedChannel[] = [];
  const unusable: HuntPlan['unusable'] = [];
  for (const { channel } of priorities) {
    const key = SETTING_KEYS[channel];
    if (row.settings[key] !== true) continue;
    const template = templates.find((t) => t.id === row.templateIds[key] && t.channel === channel);
    const reason = unusableReason(
      channel,
      template,
      row,
      pauses.find((p) => p.channel === channel)?.reasonCode,
      smsKeyEncryptionKey,
    );
    if (reason) unusable.push({ channel, reason });
    else channels.push({ channel, templateId: template!.id, template: template!.content });
  }
  return { channels, unusable };
}

function unusableReason(
  channel: Channel,
  template: { content: string | null; tokenAudio: string | null } | undefined,
  account: {
    smsApiKey: string | null;
    whatsappPhone: string | null;
    fixedPhone: string | null;
    whatsappConnected: boolean;
  },
  pausedFor: string | undefined,
  smsKeyEncryptionKey: string,
): string | null {
  if (!template) return 'TEMPLATE_MISSING';
  const textProblem = channel === 'ringless_voice' ? null : textTemplateProblem(template.content);
  if (textProblem) return textProblem;
  if (pausedFor) return `CHANNEL_PAUSED:${pausedFor}`;
  if (channel === 'sms') {
    if (!account.smsApiKey) return 'SMS_NOT_SET_UP';
    try {
      decryptSecret(account.smsApiKey, smsKeyEncryptionKey);
    } catch {
      return 'SMS_KEY_UNDECRYPTABLE';
    }
  }
  if (channel === 'whatsapp_text' && !(account.whatsappPhone && account.whatsappConnected))
    return 'WHATSAPP_NOT_CONNECTED';
  if (channel === 'ringless_voice' && !(account.fixedPhone && template.tokenAudio)) return 'VOICE_NOT_SET_UP';
  return null;
}

export async function huntExists(sql: Queryable, huntId: string): Promise<boolean> {
  return (await sql`select 1 from hunts where id = ${huntId}`).length > 0;
}
