import { describe, expect, it } from 'vitest';
import { isMobile, maskPhone, toE164 } from './phone-number.js';

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

  it('mask all but the last digits', () => {
    expect(maskPhone('+33612345678')).toBe('******5678');
  });
});
