// The time zone a recipient lives in, for the sending window (domain.md: the window is in the
// recipient's time zone). Known from the number's country: Leboncoin covers the overseas
// departments and collectivities, whose sellers live 3 to 12 hours away from Paris, and a few
// neighbours' numbers appear too. Any other number is taken to live in OUTREACH_TIMEZONE (a
// deployment whose dealers are overseas still reaches mainland numbers in Paris hours).
import { parsePhoneNumberFromString, type CountryCode } from 'libphonenumber-js/max';

const MAINLAND = 'Europe/Paris';
const COUNTRY_TIME_ZONES: Partial<Record<CountryCode, string>> = {
  FR: MAINLAND,
  RE: 'Indian/Reunion',
  YT: 'Indian/Mayotte',
  GP: 'America/Guadeloupe',
  BL: 'America/St_Barthelemy',
  MF: 'America/Marigot',
  MQ: 'America/Martinique',
  GF: 'America/Cayenne',
  PM: 'America/Miquelon',
  PF: 'Pacific/Tahiti',
  NC: 'Pacific/Noumea',
  WF: 'Pacific/Wallis',
  GB: 'Europe/London',
  GG: 'Europe/Guernsey',
  JE: 'Europe/Jersey',
  IM: 'Europe/Isle_of_Man',
  IE: 'Europe/Dublin',
  PT: 'Europe/Lisbon',
};

/** The IANA zone of an E.164 number's country when the table knows it, else `fallback` (OUTREACH_TIMEZONE). */
export function recipientTimeZone(e164: string, fallback: string): string {
  // Nearly every number is mainland French: no parse for those.
  if (e164.startsWith('+33')) return MAINLAND;
  const country = parsePhoneNumberFromString(e164)?.country;
  return (country && COUNTRY_TIME_ZONES[country]) ?? fallback;
}
