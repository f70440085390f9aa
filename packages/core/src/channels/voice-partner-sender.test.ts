import { describe, expect, it } from 'vitest';
import { namedNumbers } from './voice-partner-sender.js';

describe('namedNumbers', () => {
  const batch = ['+33612345678', '+33612345679', '+32470000001'];

  it('finds the numbers an error names, in whatever form it prints them', () => {
    expect(namedNumbers("Ce numero de telephone n'est pas valide (+32470000001)", batch)).toEqual(['+32470000001']);
    expect(namedNumbers('numéro invalide : 06 12 34 56 79', batch)).toEqual(['+33612345679']);
    expect(namedNumbers('invalides : 33612345678, 0612345679', batch)).toEqual(['+33612345678', '+33612345679']);
  });

  it('does not take part of a longer number for a number', () => {
    expect(namedNumbers('invalide (336123456789)', batch)).toEqual([]);
    expect(namedNumbers('500 numéros maximum par envoi', batch)).toEqual([]);
  });
});
