// A fake Baileys v7 socket (providers.md §4.11): the events, return shapes and error codes the
// worker relies on, with scripted failures. One FakeWhatsApp stands for WhatsApp's servers: it
// counts how many sockets each account has open at once, which must never exceed one.
import { EventEmitter } from 'node:events';
import { randomBytes } from 'node:crypto';
import type { AuthenticationState, WASocket } from '@whiskeysockets/baileys';

/** What the worker uses of a Baileys socket (mirrors core's WhatsAppSocket). */
type SocketSubset = Pick<WASocket, 'ev' | 'sendMessage' | 'onWhatsApp' | 'requestPairingCode' | 'logout' | 'end'>;

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- Baileys listeners take event-specific payloads
type Listener = (payload: any) => void;

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
  modes: { lookupReturnsNothing: boolean; sendHangsMs: number | null };
  sent: FakeSentMessage[];
  /** Most sockets one account ever had open at the same time. */
  maxConcurrent(account: string): number;
  sockets: FakeWASocket[];
}

const PAIRING_ALPHABET = '123456789ABCDEFGHJKLMNPQRSTVWXYZ';
const boom = (message: string, statusCode: number) => Object.assign(new Error(message), { isBoom: true, output: { statusCode } });
const digitsOf = (n: string) => n.replace(/@.*$/, '').replace(/\D/g, '');

export class FakeWASocket {
  readonly ev: { on(event: string, listener: Listener): void; off(event: string, listener: Listener): void; removeAllListeners(event?: string): void };
  private readonly emitter = new EventEmitter();
  private closed = false;
  /** The account this socket is counted under (its number once linked). */
  private label: string;

  constructor(private readonly world: FakeWorld, readonly auth: AuthenticationState) {
    this.ev = {
      on: (event, listener) => void this.emitter.on(event, listener),
      off: (event, listener) => void this.emitter.off(event, listener),
      removeAllListeners: (event) => void (event ? this.emitter.removeAllListeners(event) : this.emitter.removeAllListeners()),
    };
    this.label = auth.creds.registered && auth.creds.me?.id ? digitsOf(auth.creds.me.id.split(':')[0]!) : 'unlinked';
    world.opened(this.label);
    setImmediate(() => {
      this.emit('connection.update', { connection: 'connecting', receivedPendingNotifications: false, qr: undefined });
      if (auth.creds.registered) setTimeout(() => !this.closed && this.emit('connection.update', { connection: 'open' }), 20);
      else setTimeout(() => !this.closed && this.emit('connection.update', { qr: `2@fake-qr-${randomBytes(4).toString('hex')}` }), 10);
    });
  }

  /** The account's own number once linked, else "unlinked". */
  get account(): string {
    return this.label;
  }

  get isClosed(): boolean {
    return this.closed;
  }

  private emit(event: string, payload: unknown): void {
    this.emitter.emit(event, payload);
  }

  async onWhatsApp(...numbers: string[]): Promise<{ jid: string; exists: boolean }[] | undefined> {
    await Promise.resolve();
    if (this.closed) throw boom('Connection Closed', 428);
    if (this.world.modes.lookupReturnsNothing) return undefined;
    return numbers.filter((n) => !n.endsWith('@lid')).map(digitsOf)
      .filter((d) => this.world.onWhatsApp.has(d)).map((d) => ({ jid: `${d}@s.whatsapp.net`, exists: true }));
  }

  async sendMessage(jid: string, content: { text: string }) {
    if (this.closed) throw boom('Connection Closed', 428);
    if (this.world.modes.sendHangsMs !== null) {
      await new Promise((r) => setTimeout(r, this.world.modes.sendHangsMs!));
      throw new Error('Timed Out');
    }
    const id = `3EB0${randomBytes(9).toString('hex').toUpperCase()}`;
    this.world.sent.push({ account: this.label, jid, text: content.text, id });
    const key = { remoteJid: jid, fromMe: true, id };
    setTimeout(() => {
      if (this.closed) return;
      if (this.world.timeLocked.has(digitsOf(jid))) {
        this.emit('messages.update', [{ key, update: { status: 0, messageStubParameters: ['463', 'Your account has been restricted'] } }]);
      } else {
        this.emit('messages.update', [{ key, update: { status: 3 } }]);
      }
    }, 5);
    return { key, message: { extendedTextMessage: { text: content.text } }, messageTimestamp: Math.floor(Date.now() / 1000), status: 1 };
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
    Object.assign(this.auth.creds, { registered: true, me: { id: `${phoneDigits}:1@s.whatsapp.net`, name: 'Dealer', lid: '123456789:1@lid' } });
    this.world.closed(this.label);
    this.label = phoneDigits;
    this.world.opened(this.label);
    this.emit('creds.update', { registered: true, me: this.auth.creds.me });
    this.emit('connection.update', { isNewLogin: true, qr: undefined });
    this.disconnect(515);
  }

  /** A text arrives from `fromDigits`; `asLid` addresses it by LID with the number in remoteJidAlt, as v7 may. */
  receive(fromDigits: string, text: string, asLid = false): void {
    const key = asLid
      ? { remoteJid: `9${fromDigits}@lid`, remoteJidAlt: `${fromDigits}@s.whatsapp.net`, fromMe: false, id: `3EB0${randomBytes(9).toString('hex').toUpperCase()}` }
      : { remoteJid: `${fromDigits}@s.whatsapp.net`, fromMe: false, id: `3EB0${randomBytes(9).toString('hex').toUpperCase()}` };
    this.emit('messages.upsert', { type: 'notify', messages: [{ key, message: { conversation: text }, messageTimestamp: Math.floor(Date.now() / 1000) }] });
  }

  /** WhatsApp closes the connection with this status code. */
  disconnect(statusCode: number): void {
    if (this.closed) return;
    this.closed = true;
    this.world.closed(this.label);
    this.emit('connection.update', { connection: 'close', lastDisconnect: { error: boom('closed', statusCode), date: new Date() } });
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
  modes: FakeWhatsApp['modes'] = { lookupReturnsNothing: false, sendHangsMs: null };
  sent: FakeSentMessage[] = [];
  sockets: FakeWASocket[] = [];
  private readonly open = new Map<string, number>();
  private readonly peak = new Map<string, number>();

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
