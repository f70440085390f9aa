import { describe, expect, it } from 'vitest';
import { isOptOutReply } from './opt-out.js';

describe('isOptOutReply', () => {
  it('recognises STOP and its French variants, whatever the case, accents and punctuation', () => {
    for (const text of ['STOP', 'stop', ' Stop! ', 'arrêt', 'ARRET', 'désinscription', 'Desinscription.'])
      expect(isOptOutReply(text)).toBe(true);
  });

  it('does not read ordinary replies as an opt-out', () => {
    for (const text of ['Bonjour, toujours dispo ?', 'stop au prix ?', 'arrêtez de baisser', ''])
      expect(isOptOutReply(text)).toBe(false);
  });
});
