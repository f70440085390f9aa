// Postgres stopped for 10 s mid-run (`pg_ctl stop -m fast`, then started again): while the hunts
// plan, and while sends are in flight (an answer the worker holds must still be recorded).
import { expect, it } from 'vitest';
import { assess, createTenantWorld, describeFaults, expectedContacts, report, servers, sleep } from './harness.js';
import { postgresServer } from './servers.js';

const OUTAGE_MS = 10_000;

describeFaults('Postgres stopped for 10 s', () => {
  for (const when of ['right after the trigger', 'while sends are in flight'] as const) {
    it(when, async () => {
      const expected = await expectedContacts();
      const run = await createTenantWorld(`postgres ${when}`);
      const postgres = postgresServer(servers!.dir, servers!.postgresPort);
      try {
        run.sms.modes.delayMs = 1_500;
        run.voice.modes.delayMs = 1_500;
        await run.startWorkers(1);
        await run.trigger();
        if (when === 'while sends are in flight') {
          // The fake holds each call 1.5 s: stop as soon as one arrives.
          while (run.sms.requests.length + run.voice.requests.length === 0) await sleep(5);
        }
        postgres.stop();
        await sleep(OUTAGE_MS);
        postgres.start();
        const recover = await run.waitFinished();
        const row = report(
          await assess(run, expected, { scenario: `Postgres down 10 s ${when}`, recoverSeconds: recover }),
        );
        expect(row).toMatchObject({ lost: 0, duplicated: 0, creditsOver: 0, stuck: 0 });
      } finally {
        await run.close();
      }
    });
  }
});
