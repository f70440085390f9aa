// What the fake Voice Partner holds between requests: keys with their credit, the audio library,
// the STOP list, the campaigns accepted, each key's recent requests, and the modes a test switches.
import { scriptedFaults, type ScriptedFaults } from './scripted-faults.js';

export interface FakeVoiceCampaign {
  campaignId: string;
  apiKey: string;
  tokenAudio: string;
  emailForNotification: string;
  /** The campaign's numbers, normalised (E.164), distinct, comma-separated. */
  phoneNumbers: string;
  numbers: string[];
  sender?: string;
  notifyUrl?: string;
  receivedAt: number;
}

export interface FakeVoicePartnerModes {
  errorsAsHttp400: boolean;
  /**
   * An invalid number as its error message prints it: whole, or only its last 6 digits, as in
   * the documented example "Ce numero de telephone n'est pas valide (922264)".
   */
  invalidNumbersShown: 'whole' | 'last6';
  /** Requests a key may make per `windowMs` (sliding window). */
  requestsPerMinute: number;
  windowMs: number;
  hang: boolean;
  /** How long a send waits before it is answered (ms). */
  delayMs: number;
  /** Share of sends (0..1, spread evenly) that meet `faultKind` instead of the normal answer. */
  faultRatio: number;
  /** HTTP 500, 429 with Retry-After (the `success:false` shape), or received and never answered. */
  faultKind: 'server_error' | 'rate_limited' | 'hang';
}

export interface VoicePartnerState {
  /** API key → remaining credit. */
  keys: Map<string, number>;
  /** Valid audio tokens of the account library. */
  audios: Set<string>;
  /** Numbers (E.164) on Voice Partner's STOP list. */
  stopList: Set<string>;
  modes: FakeVoicePartnerModes;
  campaigns: FakeVoiceCampaign[];
  /** Campaign requests answered 429 by the rate limit. */
  rateLimited: number;
  /** Per API key, when its requests within the window arrived. */
  recent: Map<string, number[]>;
  faults: ScriptedFaults;
}

export function createVoicePartnerState(): VoicePartnerState {
  return {
    keys: new Map(),
    audios: new Set(),
    stopList: new Set(),
    modes: {
      errorsAsHttp400: false,
      invalidNumbersShown: 'whole',
      requestsPerMinute: 5,
      windowMs: 60_000,
      hang: false,
      delayMs: 0,
      faultRatio: 0,
      faultKind: 'server_error',
    },
    campaigns: [],
    rateLimited: 0,
    recent: new Map(),
    faults: scriptedFaults(),
  };
}
