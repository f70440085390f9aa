// Ringless voicemail through the real queue and worker, Voice Partner faked over HTTP.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { JOB_IDS, loadHuntPlan, PACING } from '@auto-prospect/core';
import { startFakeVoicePartner, type FakeVoicePartner } from '@auto-prospect/testkit';
import { createTestWorld, type TestWorld } from './support/test-context.js';
import { contact, credits, messageRow, seedAccount, seedTemplate, settled } from './support/seed.js';

const PLATFORM_KEY = 'voice-platform-key';
let voice: FakeVoicePartner;
let world: TestWorld;

beforeAll(async () => {
  voice = await startFakeVoicePartner();
  voice.keys.set(PLATFORM_KEY, 100);
  voice.audios.add('audio-token-1');
  // The provider allows 5 requests a minute; the tests send a few more than that in one go.
  voice.modes.requestsPerMinute = 100;
  world = await createTestWorld({
    VOICE_PARTNER_BASE_URL: voice.baseUrl,
    VOICE_PARTNER_API_KEY: PLATFORM_KEY,
    PROVIDER_TIMEOUT_MS: '500',
    VOICE_REQUESTS_PER_MINUTE: '100',
  });
  await world.context.start();
});

afterAll(async () => {
  await world.teardown();
  await voice.close();
});

async function voiceContact(phone: string, tokenAudio = 'audio-token-1') {
  const account = await seedAccount(world.context, { voiceCredits: 5 });
  const templateId = await seedTemplate(world.context.sql, account.id, 'ringless_voice', tokenAudio);
  const id = await contact(world.context, { accountId: account.id, phone, channel: 'ringless_voice', templateId });
  return { account, id };
}

describe('ringless voice delivery', () => {
  it('drops the template audio with the notification email and the account number, consuming one credit', async () => {
    const { account, id } = await voiceContact('+33612345678');
    expect(await settled(world.context.sql, id)).toMatchObject({
      status: 'sent',
      credit_state: 'consumed',
      external_id: voice.campaigns.at(-1)!.campaignId,
    });
    expect(voice.campaigns.at(-1)).toMatchObject({
      apiKey: PLATFORM_KEY,
      tokenAudio: 'audio-token-1',
      emailForNotification: 'ops@example.test',
      phoneNumbers: '+33612345678',
      sender: '+33612000000',
    });
    expect(await credits(world.context.sql, account.id)).toMatchObject({
      ringless_voice: 4,
      ringless_voice_reserved: 0,
    });
  });

  it("pauses the account's voice for a while, not burning the ad, when the audio token is unknown", async () => {
    const { account, id } = await voiceContact('+33612345679', 'no-such-audio');
    expect(await settled(world.context.sql, id)).toMatchObject({
      status: 'failed',
      error_code: 'VOICE_UNKNOWN_AUDIO',
      credit_state: 'released',
    });
    // The dealer's template is at fault, or Voice Partner has not validated the audio yet: the
    // ad stays open on voice, and the channel is tried again once the pause is over.
    expect(await world.context.sql`select failure_blame from messages where id = ${id}`).toEqual([
      { failure_blame: 'sender' },
    ]);
    const [pause] = await world.context.sql<{ minutes: number }[]>`
      select round(extract(epoch from paused_until - now()) / 60)::int as minutes from account_channel_pauses
      where account_id = ${account.id} and channel = 'ringless_voice' and reason_code = 'VOICE_UNKNOWN_AUDIO'`;
    expect(pause).toEqual({ minutes: PACING.setupRecheckMinutes });
  });

  it('suppresses a number on the provider STOP list for every account', async () => {
    voice.stopList.add('+33612345680');
    const { id } = await voiceContact('+33612345680');
    expect(await settled(world.context.sql, id)).toMatchObject({
      status: 'failed',
      error_code: 'VOICE_RECIPIENT_OPTED_OUT',
    });
    expect(
      await world.context.sql`select reason from suppressed_phone_numbers where phone_number = '+33612345680'`,
    ).toEqual([{ reason: 'VOICE_RECIPIENT_OPTED_OUT' }]);
  });

  // Last of the file: the voice queue stays held for the rest of TIMEOUTS_MS.voicePlatformRefusalHold.
  it('holds all voice, failing and pausing no one, when Voice Partner refuses the platform key', async () => {
    voice.keys.delete(PLATFORM_KEY);
    voice.modes.errorsAsHttp400 = true;
    try {
      const { account, id } = await voiceContact('+33612345681');
      await expect
        .poll(() => world.context.queues.voice.getRateLimitTtl(), { timeout: 10_000 })
        .toBeGreaterThan(60_000);
      expect(await messageRow(world.context.sql, id)).toMatchObject({ status: 'pending', credit_state: 'reserved' });
      expect(await credits(world.context.sql, account.id)).toMatchObject({
        ringless_voice: 5,
        ringless_voice_reserved: 1,
      });
      expect(await world.context.sql`select 1 from account_channel_pauses where account_id = ${account.id}`).toEqual(
        [],
      );
      const job = await world.context.queues.voice.getJob(JOB_IDS.message(id));
      expect(await job!.getState()).not.toBe('failed');

      // Meanwhile planning leaves voice out, for every account: a voice-then-SMS hunt plans SMS.
      const other = await seedAccount(world.context, { voiceCredits: 5 });
      const voiceTemplate = await seedTemplate(world.context.sql, other.id, 'ringless_voice', 'audio-token-1');
      const smsTemplate = await seedTemplate(world.context.sql, other.id, 'sms');
      const [hunt] = await world.context.sql<{ id: string }[]>`
        insert into hunts (account_id, name, outreach_settings, template_ids)
        values (${other.id}, 'h', ${world.context.sql.json({ ringlessVoice: true, sms: true })},
                ${world.context.sql.json({ ringlessVoice: voiceTemplate, sms: smsTemplate })})
        returning id`;
      const plan = await loadHuntPlan(world.context.sql, hunt!.id, world.context.env.SMS_API_KEY_ENCRYPTION_KEY);
      expect(plan!.channels.map((c) => c.channel)).toEqual(['sms']);
      expect(plan!.unusable).toEqual([{ channel: 'ringless_voice', reason: 'CHANNEL_PAUSED:VOICE_KEY_REJECTED' }]);
    } finally {
      voice.keys.set(PLATFORM_KEY, 100);
      voice.modes.errorsAsHttp400 = false;
    }
  });
});
