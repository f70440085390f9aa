// What the fake SMSMobileAPI holds between requests: the keys and how each answers, the SMS sent
// and received, the Webhook V2 endpoints, and the failure modes a test switches.
import { scriptedFaults, type ScriptedFaults } from './scripted-faults.js';

export interface FakeSmsSent {
  guid: string;
  apikey: string;
  recipients: string;
  message: string;
  /** When it was accepted, unix seconds. */
  timestampUnix: number;
}

export interface FakeSmsMobileApiModes {
  /**
   * Answer key errors with HTTP 200, as the API sometimes does: {result: {error, sent: "0"}} on
   * /sendsms/, {result: {error}} on /getsms/.
   */
  errorsAsHttp200: boolean;
  /** /getsms/ answers an empty inbox with `sms: null`. */
  emptyInboxAsNull: boolean;
  /** Received SMS get an integer guid, in /getsms/ rows and Webhook V2 data alike. */
  numericGuids: boolean;
  /** How pushed events write their times (§1.5 leaves it open); `naive` is "YYYY-MM-DD HH:MM:SS" in UTC. */
  webhookTimes: 'iso' | 'unix_seconds' | 'naive';
  /** The next N sends answer 429 with Retry-After. */
  rateLimitNext: number;
  /** The next N sends answer 503. */
  serverErrorNext: number;
  /** Sends are received but never answered. */
  hang: boolean;
  /** Sends are accepted (logged as sent) but never answered: the phone sends, the answer is lost. */
  acceptThenHang: boolean;
  /** How long a send waits before it is answered (ms), as a slow phone would. */
  delayMs: number;
  /** Share of sends (0..1, spread evenly) that meet `faultKind` instead of the normal answer. */
  faultRatio: number;
  /** 503 (a 5xx), 429 with Retry-After, or received and never answered (not sent). */
  faultKind: 'server_error' | 'rate_limited' | 'hang';
}

/**
 * How the fake answers a key: `rate_limited` is one dealer's key over its own limit (429 +
 * Retry-After: 60); `hanging`, a dealer's phone that never answers (every call is left unanswered).
 */
export type FakeSmsKeyState = 'valid' | 'expired' | 'rate_limited' | 'hanging';

export interface FakeReceivedSms {
  number: string;
  message: string;
  timestamp_unix: number;
  guid?: string | number;
}

export interface SmsMobileApiState {
  keys: Map<string, FakeSmsKeyState>;
  /** 429 answers, per API key. */
  rateLimited: Map<string, number>;
  /** Received SMS per API key, as /getsms/ returns them (a row set without `guid` is served without one). */
  inbox: Map<string, FakeReceivedSms[]>;
  /** Webhook V2 endpoint and signing secret per API key. */
  webhooks: Map<string, { url: string; secret: string }>;
  modes: FakeSmsMobileApiModes;
  sent: FakeSmsSent[];
  faults: ScriptedFaults;
}

export function createSmsMobileApiState(): SmsMobileApiState {
  return {
    keys: new Map(),
    rateLimited: new Map(),
    inbox: new Map(),
    webhooks: new Map(),
    modes: {
      errorsAsHttp200: false,
      emptyInboxAsNull: false,
      numericGuids: false,
      webhookTimes: 'iso',
      rateLimitNext: 0,
      serverErrorNext: 0,
      hang: false,
      acceptThenHang: false,
      delayMs: 0,
      faultRatio: 0,
      faultKind: 'server_error',
    },
    sent: [],
    faults: scriptedFaults(),
  };
}
