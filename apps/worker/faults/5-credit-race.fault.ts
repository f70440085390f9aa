// Four worker processes race one account that has fewer credits than its hunts want: credits
// and the SMS pacing gap must hold across processes (a negative balance, more consumed than
// given, or two sends of the account closer than SMS_MIN_GAP_SECONDS would break them).
import { expect, it } from 'vitest';
import { seedSmsDealer } from '../test/support/sms-dealers.js';
import {
  createFaultWorld,
  creditsOverspent,
  describeFaults,
  providerDuplicates,
  report,
  stuckCount,
} from './harness.js';

const CREDITS = 12;
const GAP_SECONDS = 1;
/** The fake stamps arrival: allow for the loopback's jitter, not for a missed slot. */
const JITTER_MS = 50;

describeFaults('four workers racing one account', () => {
  it('never exceed its credits nor its pacing gap', async () => {
    const run = await createFaultWorld('credit race', {
      SMS_MIN_GAP_SECONDS: String(GAP_SECONDS),
      HUNT_CONCURRENCY: '4',
    });
    try {
      const dealer = await seedSmsDealer(run.world.context, run.sms, {
        ads: 40,
        phonePrefix: '71',
        hunts: 4,
        limit: 20,
        smsCredits: CREDITS,
      });
      await run.registerAccounts([dealer]);
      await run.startWorkers(4);
      await run.trigger();
      const recover = await run.waitFinished(120_000);

      const [counts] = await run.sql<{ sent: number; uncertain: number; doubles: number }[]>`
        select count(*) filter (where status = 'sent')::int as sent,
               count(*) filter (where status = 'uncertain')::int as uncertain,
               (select coalesce(sum(n - 1), 0)::int
                from (select count(*) as n from messages where status <> 'failed' group by account_id, ad_id) d
               ) as doubles
        from messages`;
      // No fault here: every send request is one of the account's accepted SMS.
      const arrivals = run.sms.requests
        .filter((r) => r.path.startsWith('/sendsms'))
        .map((r) => r.receivedAt)
        .sort((a, b) => a - b);
      const gaps = arrivals.slice(1).map((t, i) => t - arrivals[i]!);
      const minGap = gaps.length > 0 ? Math.min(...gaps) : null;
      const row = report({
        scenario: '4 workers race 1 account, 12 credits',
        expected: CREDITS,
        lost: CREDITS - counts!.sent - counts!.uncertain,
        duplicated: counts!.doubles + providerDuplicates(run),
        creditsOver: await creditsOverspent(run),
        stuck: await stuckCount(run.sql),
        uncertain: counts!.uncertain,
        requeueSeconds: null,
        recoverSeconds: recover,
        notes: `${arrivals.length} SMS accepted, min gap ${minGap} ms (≥ ${GAP_SECONDS * 1000} ms)`,
      });
      expect(row).toMatchObject({ lost: 0, duplicated: 0, creditsOver: 0, stuck: 0 });
      expect(minGap).not.toBeNull();
      expect(minGap!).toBeGreaterThanOrEqual(GAP_SECONDS * 1000 - JITTER_MS);
    } finally {
      await run.close();
    }
  });
});
