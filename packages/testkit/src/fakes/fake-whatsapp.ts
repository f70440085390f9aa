// A fake Baileys v7 socket (providers.md §4.11): the events, return shapes and error codes the
// worker relies on, with scripted failures. One FakeWhatsApp stands for WhatsApp's servers: it
// counts how many sockets each account has open at once, which must never exceed one.
import { EventEmitter } from 'node:events';
import { randomBytes } from 'node:crypto';
import type { AuthenticationState, WASocket } from '@whiskeysockets/baileys';

/** What the worker uses of a Baileys socket (mirrors core's WhatsAppSocket). */
type SocketSubset = Pick<WASocket, 'ev' | 'sendMessage' | 'onWhatsApp' | 'requestPairingCode' | 'logout' | 'end'> & {
  signalRepository: { lidMapping: Pick<WASocket['signalRepository']['lidMapping'], 'getPNForLID'> };
};

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- Baileys listeners take event-specific payloads
type Listener = (payload: any) => void;

/** Baileys' NewChatMessageCappingStatusType. */
type CappingStatus = 'NONE' | 'FIRST_WARNING' | 'SECOND_WARNING' | 'CAPPED';

export interface FakeSentMessage {
  account: string;
  jid: string;
  text: string;
  id: string;
}

export interface FakeWhatsApp {
  /** Pass as the worker's socket factory. */
  factory: (options: { auth: AuthenticationState }) => SocketSubset;
  /** Digits of the numbers that have WhatsApp. */
  onWhatsApp: Set<string>;
  /** Recipients (digits) whose messages come back with error 463 (reach-out time lock). */
  timeLocked: Set<string>;
  /** Recipients (digits) who read what they get: a READ receipt follows the delivery one. */
  readers: Set<string>;
  /** Recipients (digits) whose receipts name them by @lid rather than by number, as v7 may. */
  lidRecipients: Set<string>;
  /** autoReceipts off: no receipt comes unless a test sends it with `receipt()`. */
  modes: { lookupReturnsNothing: boolean; sendHangsMs: number | null; autoReceipts: boolean };
  sent: FakeSentMessage[];
  /**
   * A receipt for the account's message `id` (3 delivered, 4 read). Like WhatsApp's servers, the
   * fake holds it while the account has no socket open and hands it over on the next connect.
   * `fromMe: false` is what Baileys gives when the receipt stanza names a recipient.
   */
  receipt(accountDigits: string, id: string, status: number, options?: { fromMe?: boolean }): void;
  /**
   * A text from `fromDigits` to the account, held the same way while it is offline. `asLid`
   * addresses it by @lid with the number as remoteJidAlt, unless `withoutAlt` (v7 may leave it out).
   */
  reply(
    accountDigits: string,
    fromDigits: string,
    text: string,
    options?: { asLid?: boolean; withoutAlt?: boolean },
  ): string;
  /** WhatsApp's `message-capping.update` for the account (new-chat quota), held the same way. */
  capNewChats(accountDigits: string, cappingStatus: CappingStatus): void;
  /** Most sockets one account ever had open at the same time. */
  maxConcurrent(account: string): number;
  sockets: FakeWASocket[];
}

const PAIRING_ALPHABET = '123456789ABCDEFGHJKLMNPQRSTVWXYZ';
const boom = (message: string, statusCode: number) =>
  Object.assign(new Error(message), { isBoom: true, output: { statusCode } });
const digitsOf = (n: string) => n.replace(/@.*$/, '').replace(/\D/g, '');
/** A number's LID in this fake: stable and unlike the number, as real LIDs are. */
const lidOf = (digits: string) => `9${digits}@lid`;

class FakeWASocket {
  readonly ev: {
    on(event: string, listener: Listener): void;
    off(event: string, listener: Listener): void;
    removeAllListeners(event?: string): void;
  };
  /** Like Baileys' store, it knows the LID of each number the account wrote to, even after a close. */
  readonly signalRepository = {
    lidMapping: { getPNForLID: (lid: string) => Promise.resolve(this.world.pnForLid(this.label, lid)) },
  };
  private readonly emitter = new EventEmitter();
  private closed = false;
  private opened = false;
  /** The account this socket is counted under (its number once linked). */
  private label: string;

  constructor(
    private readonly world: FakeWorld,
    readonly auth: AuthenticationState,
  ) {
    this.ev = {
      on: (event, listener) => void this.emitter.on(event, listener),
      off: (event, listener) => void this.emitter.off(event, listener),
      removeAllListeners: (event) =>
        void (event ? this.emitter.removeAllListeners(event) : this.emitter.removeAllListeners()),
    };
    this.label = auth.creds.registered && auth.creds.me?.id ? digitsOf(auth.creds.me.id.split(':')[0]!) : 'unlinked';
    world.opened(this.label);
    setImmediate(() => {
      this.emit('connection.update', { connection: 'connecting', receivedPendingNotifications: false, qr: undefined });
      if (auth.creds.registered) setTimeout(() => this.open(), 20);
      else
        setTimeout(
          () => !this.closed && this.emit('connection.update', { qr: `2@fake-qr-${randomBytes(4).toString('hex')}` }),
          10,
        );
    });
  }

  /** Open, then what arrived while the account was offline, then WhatsApp says it is all there. */
  private open(): void {
    if (this.closed) return;
    this.opened = true;
    this.emit('connection.update', { connection: 'open' });
    for (const [event, payload] of this.world.heldFor(this.label)) this.emit(event, payload);
    this.emit('connection.update', { receivedPendingNotifications: true });
  }

  /** The account's own number once linked, else "unlinked". */
  get account(): string {
    return this.label;
  }

  get isClosed(): boolean {
    return this.closed;
  }

  get isOpen(): boolean {
    return this.opened && !this.closed;
  }

  private emit(event: string, payload: unknown): void {
    this.emitter.emit(event, payload);
  }

  async onWhatsApp(...numbers: string[]): Promise<{ jid: string; exists: boolean }[] | undefined> {
    await Promise.resolve();
    if (this.closed) throw boom('Connection Closed', 428);
    if (this.world.modes.lookupReturnsNothing) return undefined;
    return numbers
      .filter((n) => !n.endsWith('@lid'))
      .map(digitsOf)
      .filter((d) => this.world.onWhatsApp.has(d))
      .map((d) => ({ jid: `${d}@s.whatsapp.net`, exists: true }));
  }

  async sendMessage(jid: string, content: { text: string }) {
    if (this.closed) throw boom('Connection Closed', 428);
    if (this.world.modes.sendHangsMs !== null) {
      await new Promise((r) => setTimeout(r, this.world.modes.sendHangsMs!));
      throw new Error('Timed Out');
    }
    const id = `3EB0${randomBytes(9).toString('hex').toUpperCase()}`;
    this.world.sent.push({ account: this.label, jid, text: content.text, id });
    const recipient = digitsOf(jid);
    setTimeout(() => {
      if (this.world.timeLocked.has(recipient)) {
        if (!this.closed)
          this.emit('messages.update', [
            {
              key: { remoteJid: jid, fromMe: true, id },
              update: { status: 0, messageStubParameters: ['463', 'Your account has been restricted'] },
            },
          ]);
        return;
      }
      if (!this.world.modes.autoReceipts) return;
      this.world.receipt(this.label, id, 3);
      if (this.world.readers.has(recipient)) setTimeout(() => this.world.receipt(this.label, id, 4), 5);
    }, 5);
    return {
      key: { remoteJid: jid, fromMe: true, id },
      message: { extendedTextMessage: { text: content.text } },
      messageTimestamp: Math.floor(Date.now() / 1000),
      status: 1,
    };
  }

  async requestPairingCode(phone: string): Promise<string> {
    await Promise.resolve();
    if (this.closed || this.auth.creds.registered) throw boom('Connection Closed', 428);
    const code = Array.from(randomBytes(8), (b) => PAIRING_ALPHABET[b % PAIRING_ALPHABET.length]).join('');
    Object.assign(this.auth.creds, { pairingCode: code, me: { id: `${digitsOf(phone)}@s.whatsapp.net`, name: '~' } });
    this.emit('creds.update', { pairingCode: code });
    return code;
  }

  /** The user scanned the QR / entered the code: creds registered, then WhatsApp forces a restart (515). */
  completeLinking(phoneDigits: string): void {
    Object.assign(this.auth.creds, {
      registered: true,
      me: { id: `${phoneDigits}:1@s.whatsapp.net`, name: 'Dealer', lid: '123456789:1@lid' },
    });
    this.world.closed(this.label);
    this.label = phoneDigits;
    this.world.opened(this.label);
    this.emit('creds.update', { registered: true, me: this.auth.creds.me });
    this.emit('connection.update', { isNewLogin: true, qr: undefined });
    this.disconnect(515);
  }

  /** WhatsApp's servers hand this socket an event for its account. */
  deliver(event: string, payload: unknown): void {
    this.emit(event, payload);
  }

  /** WhatsApp closes the connection with this status code. */
  disconnect(statusCode: number): void {
    if (this.closed) return;
    this.closed = true;
    this.world.closed(this.label);
    this.emit('connection.update', {
      connection: 'close',
      lastDisconnect: { error: boom('closed', statusCode), date: new Date() },
    });
    this.emitter.removeAllListeners();
  }

  async logout(): Promise<void> {
    await Promise.resolve();
    this.disconnect(401);
  }

  async end(error: Error | undefined): Promise<void> {
    await Promise.resolve();
    if (this.closed) return;
    this.closed = true;
    this.world.closed(this.label);
    this.emit('connection.update', { connection: 'close', lastDisconnect: { error, date: new Date() } });
    this.emitter.removeAllListeners();
  }
}

class FakeWorld implements Omit<FakeWhatsApp, 'factory'> {
  onWhatsApp = new Set<string>();
  timeLocked = new Set<string>();
  readers = new Set<string>();
  lidRecipients = new Set<string>();
  modes: FakeWhatsApp['modes'] = { lookupReturnsNothing: false, sendHangsMs: null, autoReceipts: true };
  sent: FakeSentMessage[] = [];
  sockets: FakeWASocket[] = [];
  private readonly open = new Map<string, number>();
  private readonly peak = new Map<string, number>();
  private readonly held = new Map<string, [string, unknown][]>();

  receipt(accountDigits: string, id: string, status: number, { fromMe = true }: { fromMe?: boolean } = {}): void {
    const sent = this.sent.find((m) => m.id === id);
    const recipient = sent ? digitsOf(sent.jid) : '';
    // The receipt comes from the recipient: by LID when WhatsApp chose to address them so.
    const remoteJid = this.lidRecipients.has(recipient) ? lidOf(recipient) : `${recipient}@s.whatsapp.net`;
    this.deliver(accountDigits, 'messages.update', [{ key: { remoteJid, fromMe, id }, update: { status } }]);
  }

  reply(
    accountDigits: string,
    fromDigits: string,
    text: string,
    options: { asLid?: boolean; withoutAlt?: boolean } = {},
  ): string {
    const id = `3EB0${randomBytes(9).toString('hex').toUpperCase()}`;
    const pn = `${fromDigits}@s.whatsapp.net`;
    const key = options.asLid
      ? { remoteJid: lidOf(fromDigits), ...(options.withoutAlt ? {} : { remoteJidAlt: pn }), fromMe: false, id }
      : { remoteJid: pn, fromMe: false, id };
    const message = { key, message: { conversation: text }, messageTimestamp: Math.floor(Date.now() / 1000) };
    this.deliver(accountDigits, 'messages.upsert', { type: 'notify', messages: [message] });
    return id;
  }

  capNewChats(accountDigits: string, cappingStatus: CappingStatus): void {
    this.deliver(accountDigits, 'message-capping.update', { capping_status: cappingStatus });
  }

  /** Baileys' answer (`<pn>:0@s.whatsapp.net` or null): it learns a pair when the account writes to a number. */
  pnForLid(account: string, lid: string): string | null {
    const sent = this.sent.find((m) => m.account === account && lidOf(digitsOf(m.jid)) === lid);
    return sent ? `${digitsOf(sent.jid)}:0@s.whatsapp.net` : null;
  }

  /** To the account's open socket, or held until it connects. */
  private deliver(accountDigits: string, event: string, payload: unknown): void {
    const socket = this.sockets.find((s) => s.account === accountDigits && !s.isClosed && s.isOpen);
    if (socket) socket.deliver(event, payload);
    else this.held.set(accountDigits, [...(this.held.get(accountDigits) ?? []), [event, payload]]);
  }

  heldFor(accountDigits: string): [string, unknown][] {
    const events = this.held.get(accountDigits) ?? [];
    this.held.delete(accountDigits);
    return events;
  }

  opened(account: string): void {
    const now = (this.open.get(account) ?? 0) + 1;
    this.open.set(account, now);
    this.peak.set(account, Math.max(this.peak.get(account) ?? 0, now));
  }

  closed(account: string): void {
    this.open.set(account, (this.open.get(account) ?? 1) - 1);
  }

  maxConcurrent(account: string): number {
    return this.peak.get(account) ?? 0;
  }
}

export function createFakeWhatsApp(): FakeWhatsApp {
  const world = new FakeWorld();
  return Object.assign(world, {
    factory: ({ auth }: { auth: AuthenticationState }) => {
      const socket = new FakeWASocket(world, auth);
      world.sockets.push(socket);
      // Same behaviour at run time; Baileys' own types are stricter than this fake needs to be.
      return socket as unknown as SocketSubset;
    },
  });
}
