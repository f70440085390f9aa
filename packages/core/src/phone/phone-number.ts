// Phone numbers are stored and compared in E.164 (+33…); French national format is accepted.
import { parsePhoneNumberFromString } from 'libphonenumber-js/max';

/** French national or international format → E.164; anything that is not a valid number → null. */
export function toE164(value: unknown): string | null {
  const raw = typeof value === 'number' ? String(value) : typeof value === 'string' ? value.trim() : '';
  if (!raw) return null;
  const phone = parsePhoneNumberFromString(raw, 'FR');
  return phone?.isValid() ? phone.number : null;
}

/** SMS and WhatsApp need a mobile: landlines (FR 01–05, 09) cannot receive them. */
export function isMobile(e164: string): boolean {
  const type = parsePhoneNumberFromString(e164)?.getType();
  return type === 'MOBILE' || type === 'FIXED_LINE_OR_MOBILE';
}

/** Digits only, no "+": what WhatsApp JIDs and SMSMobileAPI's WhatsApp fields use. */
export function e164Digits(e164: string): string {
  return e164.replace(/\D/g, '');
}

/** Keeps the last digits only, for logs: +33612345678 → ******5678. */
export function maskPhone(phone: string): string {
  return `******${phone.slice(-4)}`;
}
