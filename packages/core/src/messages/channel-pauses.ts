// A channel paused for an account (a setup failure such as a revoked key, or a timed hold such
// as WhatsApp's reach-out lock): nothing goes out on it until someone fixes it or `until` passes.
// Readers see the pauses in force through the `active_channel_pauses` view. A channel held for
// every account (the platform's own provider account refuses) is a hold, until a given time.
import type { Queryable } from '../db/client.js';
import type { Channel } from '../channel.js';
import { TIMED_PAUSES_MS } from '../config/worker.config.js';

/** Pauses the channel for the account, until the reason's time is up (TIMED_PAUSES_MS) or for good. */
export async function pauseChannel(
  sql: Queryable,
  accountId: string,
  channel: Channel,
  reason: { code: string; message: string },
): Promise<void> {
  const lasts = TIMED_PAUSES_MS[reason.code];
  const until = lasts === undefined ? null : new Date(Date.now() + lasts);
  await sql`
    insert into account_channel_pauses (account_id, channel, reason_code, reason, paused_until)
    values (${accountId}, ${channel}, ${reason.code}, ${reason.message}, ${until})
    on conflict (account_id, channel) do update set reason_code = excluded.reason_code, reason = excluded.reason,
      paused_until = excluded.paused_until, created_at = now()`;
}

/** No account plans contacts on the channel before `until` (the platform's provider account refuses). */
export async function holdPlatformChannel(
  sql: Queryable,
  channel: Channel,
  reason: { code: string; message: string },
  until: Date,
): Promise<void> {
  await sql`
    insert into platform_channel_holds (channel, reason_code, reason, held_until)
    values (${channel}, ${reason.code}, ${reason.message}, ${until})
    on conflict (channel) do update set reason_code = excluded.reason_code, reason = excluded.reason,
      held_until = excluded.held_until`;
}

/** Ends the account's pause of the channel (an operator saw its cause fixed); false when there is none. */
export async function endChannelPause(sql: Queryable, accountId: string, channel: Channel): Promise<boolean> {
  const ended = await sql`delete from account_channel_pauses where account_id = ${accountId} and channel = ${channel}`;
  return ended.count > 0;
}
