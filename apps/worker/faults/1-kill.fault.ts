// kill -9 of worker processes during the tenant's run: five times while sends are in flight (the
// fakes answer slowly), and twice in a row on the same running fan-out/hunt jobs.
import { expect, it } from 'vitest';
import {
  assess,
  createTenantWorld,
  describeFaults,
  expectedContacts,
  report,
  sleep,
  type TenantWorld,
} from './harness.js';

/** SMS are paced (1 s per account) and answered slowly, so the run lasts and kills land mid-send. */
const SLOW = { SMS_MIN_GAP_SECONDS: '1' };

const sendCalls = (run: TenantWorld) =>
  run.sms.requests.filter((r) => r.path.startsWith('/sendsms')).length + run.voice.requests.length;

/** Job ids active now in the fan-out and hunts queues. */
async function activeOrchestration(run: TenantWorld): Promise<string[]> {
  const { queues } = run.world.context;
  const jobs = [...(await queues.fetchActiveHunts.getActive()), ...(await queues.processHunt.getActive())];
  return jobs.map((job) => job.id!);
}

async function until<T>(probe: () => Promise<T | null>, timeoutMs: number, everyMs = 5): Promise<T | null> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const found = await probe();
    if (found !== null) return found;
    await sleep(everyMs);
  }
  return null;
}

/** Five kills, alternating between two workers, each while a provider call is held in flight. */
async function killFiveTimesMidSend(): Promise<void> {
  const expected = await expectedContacts();
  const run = await createTenantWorld('kill x5', SLOW);
  try {
    run.sms.modes.delayMs = 800;
    run.voice.modes.delayMs = 800;
    await run.startWorkers(2);
    await run.trigger();
    let inFlightKills = 0;
    for (let k = 0; k < 5; k++) {
      // The next provider call to arrive is held 800 ms: the kill lands while it is in flight.
      const before = sendCalls(run);
      const arrived = await until(() => Promise.resolve(sendCalls(run) > before ? true : null), 8_000);
      if (arrived) inFlightKills++;
      await run.kill(k % 2);
      await sleep(1_000);
    }
    const recover = await run.waitFinished();
    const row = report(
      await assess(run, expected, {
        scenario: 'kill -9 x5 mid-send (2 workers)',
        recoverSeconds: recover,
        notes: `${inFlightKills}/5 kills with a call in flight`,
      }),
    );
    expect(row).toMatchObject({ lost: 0, duplicated: 0, creditsOver: 0, stuck: 0 });
  } finally {
    await run.close();
  }
}

/** Kills the one worker while it runs orchestration jobs, then again once it has taken the same jobs back. */
async function killTwiceOnSameJobs(): Promise<void> {
  const expected = await expectedContacts();
  const run = await createTenantWorld('kill twice', SLOW);
  try {
    run.sms.modes.delayMs = 300;
    await run.startWorkers(1);
    await run.trigger();
    const first =
      (await until(
        async () => ((await activeOrchestration(run)).length > 0 ? activeOrchestration(run) : null),
        10_000,
      )) ?? [];
    await run.kill(0);
    // Restarted, the process takes the same jobs back once their lock expires: kill it again then.
    const second =
      (await until(async () => {
        const active = await activeOrchestration(run);
        return active.some((id) => first.includes(id)) ? active : null;
      }, 15_000)) ?? [];
    await run.kill(0);
    const recover = await run.waitFinished();
    const same = second.filter((id) => first.includes(id));
    const row = report(
      await assess(run, expected, {
        scenario: 'kill -9 twice on the same jobs',
        recoverSeconds: recover,
        notes: `killed with ${first.length} then ${second.length} orchestration jobs active, ${same.length} the same`,
      }),
    );
    expect(row).toMatchObject({ lost: 0, duplicated: 0, creditsOver: 0, stuck: 0 });
  } finally {
    await run.close();
  }
}

describeFaults('kill -9', () => {
  it('five times during sends, each worker restarted: every expected contact, none twice', killFiveTimesMidSend);
  it('twice in a row on the same fan-out/hunt jobs: the day still completes', killTwiceOnSameJobs);
});
