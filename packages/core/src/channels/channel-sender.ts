// One small interface for the channels sent one message per request (ringless voice goes in
// batches: voice-partner-sender.ts): the usecase hands over a message, the adapter calls its
// provider and either returns the provider's id or throws a classified error
// (DeliveryRefusedError with a blame, TransientError, RateLimitedError, UnknownOutcomeError).
import type { Channel } from '../channel.js';

export type SingleSendChannel = Exclude<Channel, 'ringless_voice'>;

export interface OutboundMessage {
  messageId: string;
  accountId: string;
  channel: SingleSendChannel;
  /** E.164 with "+". */
  recipient: string;
  text: string | null;
  /** The account's decrypted SMSMobileAPI key (SMS): in memory only, never logged. */
  smsApiKey: string | null;
  signal?: AbortSignal;
}

export interface Accepted {
  /** The provider's id of the message (SMS GUID, WhatsApp key id). */
  externalId: string | null;
}

export interface ChannelSender {
  send(message: OutboundMessage): Promise<Accepted>;
}

export type ChannelSenders = Readonly<Record<SingleSendChannel, ChannelSender>>;
