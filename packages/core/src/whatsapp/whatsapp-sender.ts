import type { ChannelSender } from '../channels/channel-sender.js';
import type { WhatsAppConnections } from './whatsapp-connections.js';

/** WhatsApp through the account's own linked number (Baileys). */
export function createWhatsAppSender(connections: WhatsAppConnections): ChannelSender {
  return {
    send: (message) => connections.send(message.accountId, message.recipient, message.text ?? ''),
  };
}
