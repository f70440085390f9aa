import { describe, expect, it } from 'vitest';
import { ALWAYS_OPEN, type SendingWindow } from '../schedule/sending-window.js';
import { sendSchedule } from './send-schedule.js';

const NOW = new Date('2026-11-30T10:00:00Z');
const SPACING = { sms: 45_000, whatsapp_text: 90_000, ringless_voice: 12_000 };
const at = (seconds: number) => new Date(NOW.getTime() + seconds * 1000);

describe('sendSchedule', () => {
  it("continues each channel one gap after the account's last pending message, else starts now", () => {
    const next = sendSchedule(ALWAYS_OPEN, SPACING, { sms: at(600) }, NOW);
    expect([next('sms'), next('sms'), next('whatsapp_text'), next('whatsapp_text')]).toEqual([
      at(645),
      at(690),
      NOW,
      at(90),
    ]);
  });

  it('never schedules in the past, and waits for the window to open', () => {
    const closedUntilNoon: SendingWindow = { nextOpening: (t) => (t < at(7200) ? at(7200) : t) };
    const next = sendSchedule(closedUntilNoon, SPACING, { sms: at(-3600) }, NOW);
    expect([next('sms'), next('sms')]).toEqual([at(7200), at(7245)]);
  });
});
