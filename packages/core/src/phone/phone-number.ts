// Phone numbers are stored and compared in E.164 (+33…); French national format is accepted.
import { parsePhoneNumberFromString, type NumberType, type PhoneNumber } from 'libphonenumber-js/max';

function parse(value: unknown): PhoneNumber | undefined {
  const raw = typeof value === 'number' ? String(value) : typeof value === 'string' ? value.trim() : '';
  return raw ? parsePhoneNumberFromString(raw, 'FR') : undefined;
}

const MOBILE_TYPES = new Set<NumberType>(['MOBILE', 'FIXED_LINE_OR_MOBILE']);

/** French national or international format → E.164; anything that is not a valid number → null. */
export function toE164(value: unknown): string | null {
  const phone = parse(value);
  return phone?.isValid() ? phone.number : null;
}

/** SMS and WhatsApp need a mobile: landlines (FR 01–05, 09) cannot receive them. */
export function isMobile(e164: string): boolean {
  return MOBILE_TYPES.has(parsePhoneNumberFromString(e164)?.getType());
}

/** toE164 and isMobile from one parse: ingestion needs both for every ad. */
export function classifyPhone(value: unknown): { e164: string; mobile: boolean } | null {
  const phone = parse(value);
  return phone?.isValid() ? { e164: phone.number, mobile: MOBILE_TYPES.has(phone.getType()) } : null;
}

/** Digits only, no "+": what WhatsApp JIDs and SMSMobileAPI's WhatsApp fields use. */
export function e164Digits(e164: string): string {
  return e164.replace(/\D/g, '');
}

/** Keeps the last digits only, for logs: +33612345678 → ******5678. */
export function maskPhone(phone: string): string {
  return `******${phone.slice(-4)}`;
}
