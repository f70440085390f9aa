import { describe, expect, it } from 'vitest';
import { classifyPhone, isMobile, maskPhone, toE164 } from './phone-number.js';

describe('phone numbers', () => {
  it('normalise French national and international formats to E.164', () => {
    expect(toE164('0612345678')).toBe('+33612345678');
    expect(toE164('07 56 34 56 78')).toBe('+33756345678');
    expect(toE164('+33 6 12 34 56 78')).toBe('+33612345678');
    expect(toE164('0442747158')).toBe('+33442747158');
    expect(toE164('0000')).toBeNull();
    expect(toE164('')).toBeNull();
  });

  it('tell mobiles from landlines', () => {
    expect(isMobile('+33612345678')).toBe(true);
    expect(isMobile('+33756345678')).toBe(true);
    expect(isMobile('+33142747158')).toBe(false);
    expect(isMobile('+33942747158')).toBe(false);
  });

  it('classify in one parse as toE164 and isMobile do in two', () => {
    for (const raw of [
      '06 12 34 56 78',
      '+33756345678',
      '0142747158',
      '09 42 74 71 58',
      '+44 7700 900123',
      '0000',
      '',
    ]) {
      const e164 = toE164(raw);
      expect(classifyPhone(raw)).toEqual(e164 === null ? null : { e164, mobile: isMobile(e164) });
    }
    expect(classifyPhone('0612345678')).toEqual({ e164: '+33612345678', mobile: true });
    expect(classifyPhone('0142747158')).toEqual({ e164: '+33142747158', mobile: false });
  });

  it('mask all but the last digits', () => {
    expect(maskPhone('+33612345678')).toBe('******5678');
  });
});
