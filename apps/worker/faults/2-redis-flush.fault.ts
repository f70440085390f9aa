// Redis loses every key mid-run (FLUSHALL on the private server): the jobs, the schedulers and
// the pacing slots are gone; the messages in Postgres are the truth. The schedulers come back
// within a sweep period and the sweeper re-dispatches what is pending.
import { Redis } from 'ioredis';
import { expect, it } from 'vitest';
import { assess, createTenantWorld, describeFaults, expectedContacts, report, servers, sleep, SWEEP_PERIOD_SECONDS } from './harness.js';

/** What recovering may take beyond one sweep period: the scheduler's first run and the sends left. */
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
        await flushAll();
        if (restart) await run.kill(0);
        // Well past the bound: a run that has not recovered by then is reported stuck.
        const recover = await run.waitFinished(60_000);
        const row = report(await assess(run, expected, { scenario: `Redis FLUSHALL mid-run${restart ? ' + restart' : ''}`, recoverSeconds: recover }));
        expect(row).toMatchObject({ lost: 0, duplicated: 0, creditsOver: 0, stuck: 0 });
        expect(recover, 'recovered within one sweep period plus slack').not.toBeNull();
        expect(recover!).toBeLessThanOrEqual(SWEEP_PERIOD_SECONDS + SLACK_SECONDS);
      } finally {
        await run.close();
      }
    });
  }
});
