export const CHANNELS = ['sms', 'whatsapp_text', 'ringless_voice'] as const;
export type Channel = (typeof CHANNELS)[number];

/** Channels that cost one credit per contact; WhatsApp is free but capped per day. */
export function isMetered(channel: Channel): channel is 'sms' | 'ringless_voice' {
  return channel !== 'whatsapp_text';
}
