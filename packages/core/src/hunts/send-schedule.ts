// When each new message of an account should go: inside the sending window, one pacing gap after
// the account's previous message on the same channel (including ones other hunts planned), so a
// day's plan is spread instead of falling due all at once.
import type { Channel } from '../channel.js';
import type { SendingWindow } from '../schedule/sending-window.js';

export function sendSchedule(
  window: SendingWindow,
  /** Average spacing of one account's messages per channel (ms). */
  spacingMs: Readonly<Record<Channel, number>>,
  lastScheduled: Partial<Record<Channel, Date>>,
  now: Date = new Date(),
): (channel: Channel) => Date {
  const previous = new Map<Channel, Date>(Object.entries(lastScheduled) as [Channel, Date][]);
  return (channel) => {
    const last = previous.get(channel);
    const at = window.nextOpening(new Date(Math.max(now.getTime(), last ? last.getTime() + spacingMs[channel] : 0)));
    previous.set(channel, at);
    return at;
  };
}
