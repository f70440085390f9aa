// The providers (SMSMobileAPI and Voice Partner) answer 500, 429 or hang for 30 % of calls.
// 5xx and 429 are retried; a hung call times out after it may have reached the provider, so its
// message is `uncertain` (counted apart), never sent again.
import { expect, it } from 'vitest';
import { assess, createTenantWorld, describeFaults, expectedContacts, report } from './harness.js';

describeFaults('flaky providers, 30 % of calls', () => {
  for (const kind of ['server_error', 'rate_limited', 'hang'] as const) {
    it(kind, async () => {
      const expected = await expectedContacts();
      const run = await createTenantWorld(`providers ${kind}`, { PROVIDER_TIMEOUT_MS: '2000' });
      try {
        for (const modes of [run.sms.modes, run.voice.modes])
          Object.assign(modes, { faultRatio: 0.3, faultKind: kind });
        await run.startWorkers(1);
        await run.trigger();
        const recover = await run.waitFinished(120_000);
        const calls = run.sms.requests.filter((r) => r.path.startsWith('/sendsms')).length + run.voice.requests.length;
        const row = report(
          await assess(run, expected, {
            scenario: `providers ${kind === 'server_error' ? '5xx' : kind === 'rate_limited' ? '429' : 'hang'} on 30 %`,
            recoverSeconds: recover,
            notes: `${calls} provider calls`,
          }),
        );
        expect(row).toMatchObject({ lost: 0, duplicated: 0, creditsOver: 0, stuck: 0 });
        // Only a call that really went unanswered may leave a message uncertain.
        if (kind !== 'hang') expect(row.uncertain).toBe(0);
      } finally {
        await run.close();
      }
    });
  }
});
