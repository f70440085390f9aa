// One small interface for every channel: the usecase hands over a message, the adapter calls
// its provider and either returns the provider's id or throws a classified error
// (DeliveryRefusedError with a blame, TransientError, RateLimitedError, UnknownOutcomeError).
import type { Channel } from '../messages/channel.js';

export interface OutboundMessage {
  messageId: string;
  accountId: string;
  channel: Channel;
  /** E.164 with "+". */
  recipient: string;
  text: string | null;
  /** Voice Partner audio token of the template (ringless voice). */
  voiceTokenAudio: string | null;
  /** The account's decrypted SMSMobileAPI key (SMS): in memory only, never logged. */
  smsApiKey: string | null;
  /** The account's number shown to the recipient (ringless voice). */
  voiceSender: string | null;
  signal?: AbortSignal;
}

export interface Accepted {
  /** The provider's id of the message (SMS GUID, Voice Partner campaign id, WhatsApp key id). */
  externalId: string | null;
}

export interface ChannelSender {
  send(message: OutboundMessage): Promise<Accepted>;
}

export type ChannelSenders = Readonly<Record<Channel, ChannelSender>>;
