// The part of a Baileys socket the worker uses, so tests can drive a faithful fake.
import makeWASocket, { Browsers, type AuthenticationState, type WASocket } from '@whiskeysockets/baileys';
import type { Logger } from '../logging/logger.js';

export type WhatsAppSocket = Pick<
  WASocket,
  'ev' | 'sendMessage' | 'onWhatsApp' | 'requestPairingCode' | 'logout' | 'end'
> & {
  /** The LID ↔ number pairs Baileys has seen: how a reply addressed only by @lid finds its sender. */
  signalRepository: { lidMapping: Pick<WASocket['signalRepository']['lidMapping'], 'getPNForLID'> };
};

export type WhatsAppSocketFactory = (options: { auth: AuthenticationState; logger: Logger }) => WhatsAppSocket;

/** The real Baileys socket, set up for a sender: no history sync, phone keeps its notifications. */
export const baileysSocketFactory: WhatsAppSocketFactory = ({ auth, logger }) =>
  makeWASocket({
    auth,
    logger: logger.child({ module: 'baileys' }, { level: 'warn' }),
    browser: Browsers.ubuntu('Auto-Prospect'),
    markOnlineOnConnect: false,
    syncFullHistory: false,
    shouldSyncHistoryMessage: () => false,
  });
