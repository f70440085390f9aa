// Voice Partner's notifyUrl callback (a GET whose parameters are undocumented, providers.md
// §2.4): its raw query is kept on every message of the campaign it is about, for a person or a
// later parser to read. The campaign is found by the `batch` we put in the notifyUrl (the
// batch's leader), or by a `campaignId` parameter should Voice Partner send one.
import type { Sql } from '../db/client.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export type NotificationQuery = Readonly<Record<string, string | readonly string[]>>;

const single = (value: string | readonly string[] | undefined) => (typeof value === 'string' ? value : null);

/** Returns how many messages the report was recorded on. */
export async function recordVoiceNotification(sql: Sql, query: NotificationQuery): Promise<number> {
  const batch = single(query.batch);
  const leader = batch && UUID.test(batch) ? batch : null;
  const campaignId = single(query.campaignId);
  if (!leader && !campaignId) return 0;
  const report = { receivedAt: new Date().toISOString(), query };
  const moved = await sql`
    update messages set provider_reports = provider_reports || ${sql.json([report])}::jsonb, updated_at = now()
    where channel = 'ringless_voice' and external_id is not null
      and (voice_batch_leader = ${leader}::uuid or external_id = ${campaignId})`;
  return moved.count;
}
