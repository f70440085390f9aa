import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakeVoicePartner, type FakeVoicePartner } from '@auto-prospect/testkit';
import { RateLimitedError } from '../errors.js';
import { createVoicePartnerSender, namedNumbers } from './voice-partner-sender.js';

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

describe('a campaign Voice Partner refuses', () => {
  let voice: FakeVoicePartner;
  beforeAll(async () => {
    voice = await startFakeVoicePartner();
    voice.keys.set('platform-key', 100);
    voice.audios.add('audio-1');
  });
  afterAll(() => voice.close());

  const send = (notificationEmail: string, tokenAudio: string) =>
    createVoicePartnerSender({ baseUrl: voice.baseUrl, apiKey: 'platform-key', notificationEmail, timeoutMs: 2000 })
      .send({ messageIds: [], tokenAudio, numbers: ['+33612345678'], sender: null, notifyUrl: null })
      .catch((err: unknown) => err);

  it("for the platform's own notification address holds every account's voice", async () => {
    const refused = await send('', 'audio-1');
    expect(refused).toBeInstanceOf(RateLimitedError);
    expect(refused).toMatchObject({ code: 'VOICE_PLATFORM_SETUP_REFUSED' });
  });

  it("for the dealer's audio blames the sender's setup (its template), not the message", async () => {
    expect(await send('ops@example.com', 'no-such-audio')).toMatchObject({
      code: 'VOICE_UNKNOWN_AUDIO',
      blame: 'sender',
    });
  });
});
