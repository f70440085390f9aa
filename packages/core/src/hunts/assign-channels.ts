// The channel waterfall over a page of candidates, newest first: each takes the first channel, in
// priority order, that can reach its phone, is not closed for its ad (failed for good, or tried
// today) and has room left.
import type { Channel } from '../channel.js';
import type { Candidate } from './select-candidates.js';

/** What today still allows: the hunt's remaining contacts and each channel's credits or slots. */
export interface Room {
  hunt: number;
  channels: Record<Channel, number>;
}

export interface Assignment {
  candidate: Candidate;
  channel: Channel;
}

/** Why a channel had no room: metered channels run out of credits, WhatsApp out of daily slots. */
const NO_ROOM: Record<Channel, string> = {
  sms: 'INSUFFICIENT_CREDITS',
  ringless_voice: 'INSUFFICIENT_CREDITS',
  whatsapp_text: 'DAILY_CAP_REACHED',
};

export const noRoomReason = (channel: Channel) => `${NO_ROOM[channel]}:${channel}`;

function canReach(channel: Channel, candidate: Pick<Candidate, 'mobile'>): boolean {
  return channel === 'ringless_voice' || candidate.mobile;
}

/**
 * Assigns candidates until the hunt's room is used; `room` is not changed. Skipped candidates are
 * counted by reason, and each assigned one counts its seller's other ads as waiting for another day.
 */
export function assignChannels(
  candidates: readonly Candidate[],
  channels: readonly Channel[],
  room: Readonly<Room>,
): { assignments: Assignment[]; skipped: Record<string, number> } {
  const left = { hunt: room.hunt, channels: { ...room.channels } };
  const assignments: Assignment[] = [];
  const skipped: Record<string, number> = {};
  const bump = (reason: string, n = 1) => void (n > 0 && (skipped[reason] = (skipped[reason] ?? 0) + n));
  for (const candidate of candidates) {
    if (left.hunt <= 0) break;
    const open = channels.filter((c) => canReach(c, candidate) && !candidate.closedChannels.includes(c));
    const channel = open.find((c) => left.channels[c] > 0);
    if (!channel) {
      bump(open.length === 0 ? 'NO_CHANNEL_REACHES_RECIPIENT' : noRoomReason(open[0]!));
      continue;
    }
    assignments.push({ candidate, channel });
    left.hunt--;
    left.channels[channel]--;
    bump('SELLER_CONTACTED_TODAY', candidate.sellerOtherAds);
  }
  return { assignments, skipped };
}
