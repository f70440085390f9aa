// Redis loses every key mid-run (FLUSHALL on the private server): the jobs, the schedulers and
// the pacing slots are gone; the messages in Postgres are the truth. The schedulers come back
// within a second (or at the restart), the sweeper they bring runs at once and re-dispatches what
// is pending and the hunts of the run: all the lost work is queued again within one sweep period.
// Two times, both from the flush: until the work is queued again, and until the run is finished
// (which adds the sends still to make, 0.5 s each at the fake providers).
import { Redis } from 'ioredis';
import { expect, it } from 'vitest';
import {
  assess,
  createTenantWorld,
  describeFaults,
  expectedContacts,
  report,
  servers,
  sleep,
  SWEEP_PERIOD_SECONDS,
} from './harness.js';

/** What finishing may take beyond one sweep period: the sends left. */
const SLACK_SECONDS = 15;

async function flushAll(): Promise<void> {
  const redis = new Redis(servers!.redisUrl, { maxRetriesPerRequest: 1 });
  try {
    await redis.flushall();
  } finally {
    redis.disconnect();
  }
}

describeFaults('Redis flushed mid-run', () => {
  for (const restart of [false, true]) {
    it(restart ? 'and the worker killed and restarted' : 'with the worker kept running', async () => {
      const expected = await expectedContacts();
      const run = await createTenantWorld(`flush${restart ? ' restart' : ''}`);
      try {
        run.sms.modes.delayMs = 500;
        run.voice.modes.delayMs = 500;
        await run.startWorkers(1);
        await run.trigger();
        // Mid-run: some sends done, others still pending in the queues.
        while (run.sms.sent.length + run.voice.campaigns.length < 3) await sleep(20);
        const flushed = Date.now();
        await flushAll();
        if (restart) await run.kill(0);
        // With a restart, the worker is only there again once the new process listens (booting takes seconds).
        const back = (Date.now() - flushed) / 1000;
        const requeued = await run.waitRequeued(flushed);
        // Well past the bound: a run that has not recovered by then is reported stuck.
        const finished = await run.waitFinished(60_000);
        const recover = finished === null ? null : (Date.now() - flushed) / 1000;
        const row = report(
          await assess(run, expected, {
            scenario: `Redis FLUSHALL mid-run${restart ? ' + restart' : ''}`,
            requeueSeconds: requeued,
            recoverSeconds: recover,
            notes: restart ? `the restarted worker listened ${back.toFixed(1)} s after the flush` : '',
          }),
        );
        expect(row).toMatchObject({ lost: 0, duplicated: 0, creditsOver: 0, stuck: 0 });
        expect(row.requeueSeconds, 'lost work queued again within one sweep period').not.toBeNull();
        expect(row.requeueSeconds! - (restart ? back : 0)).toBeLessThanOrEqual(SWEEP_PERIOD_SECONDS);
        expect(recover, 'finished within one sweep period plus the sends left').not.toBeNull();
        expect(recover! - (restart ? back : 0)).toBeLessThanOrEqual(SWEEP_PERIOD_SECONDS + SLACK_SECONDS);
      } finally {
        await run.close();
      }
    });
  }
});
