// 5,000 fuzzed Lobstr webhook bodies against the real process over HTTP: never a 5xx, and a
// scraping job only for a body the webhook accepted (202), once per accepted run.
import { expect, it } from 'vitest';
import { ROUTES } from '@auto-prospect/core';
import { testEnv } from '@auto-prospect/testkit';
import { createFaultWorld, describeFaults, report } from './harness.js';

const BODIES = 5_000;

/** xorshift32: the same bodies on every run, so a failure can be replayed. */
function prng(seed: number) {
  let x = seed;
  const next = () => {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    return (x >>> 0) / 2 ** 32;
  };
  return {
    next,
    int: (n: number) => Math.floor(next() * n),
    of: <T>(items: readonly T[]) => items[Math.floor(next() * items.length)]!,
  };
}

const rnd = prng(0x5eed_2611);
const hexString = (n: number) => Array.from({ length: n }, () => rnd.int(16).toString(16)).join('');
const STRANGE = [
  '',
  '\u0000',
  '\ud83d',
  'ünïcødé',
  '${jndi:ldap://x}',
  '../../',
  ' '.repeat(300),
  'z'.repeat(30_000),
  '0x41',
  '1e999',
];
const strangeValue = (): unknown =>
  rnd.of<() => unknown>([
    () => rnd.of(STRANGE),
    () => rnd.int(2 ** 31) - 2 ** 30,
    () => rnd.next() < 0.5,
    () => null,
    () => [rnd.of(STRANGE)],
    () => ({ nested: { deeper: rnd.of(STRANGE) } }),
    () => hexString(rnd.int(64)),
    () => hexString(32).toUpperCase(),
  ])();

/** One body: a valid run.done notification with a few fields damaged, or raw garbage. */
function body(): { text: string; type: string } {
  const notification: Record<string, unknown> = {
    id: hexString(32),
    object: 'run',
    event: 'run.done',
    squid: { id: hexString(32), name: 'Leboncoin' },
    timestamp: '2026/11/28 08:32:31',
  };
  const damage = rnd.int(4);
  for (let d = 0; d < damage; d++) {
    const field = rnd.of(['id', 'object', 'event', 'squid', 'timestamp', 'squid.id', 'added']);
    if (field === 'squid.id') notification.squid = { ...(notification.squid as object), id: strangeValue() };
    else if (field === 'added') notification[rnd.of(STRANGE) || 'k'] = strangeValue();
    else if (rnd.next() < 0.3) delete notification[field];
    else notification[field] = strangeValue();
  }
  const text = JSON.stringify(notification);
  switch (rnd.int(8)) {
    case 0:
      return { text: text.slice(0, rnd.int(text.length)), type: 'application/json' };
    case 1:
      return { text: `[${text}]`, type: 'application/json' };
    case 2:
      return {
        text,
        type: rnd.of(['text/plain', 'application/x-www-form-urlencoded', 'application/json; charset=latin1']),
      };
    default:
      return { text, type: 'application/json' };
  }
}

describeFaults('fuzzed Lobstr webhooks', () => {
  it(`${BODIES} bodies: no 5xx, nothing enqueued for a refused one`, async () => {
    // Orchestration only: accepted runs stay queued instead of calling Lobstr.
    const run = await createFaultWorld('webhook fuzz', { WORKER_ROLES: 'orchestration' });
    try {
      await run.startWorkers(1);
      const base = await run.workers[0]!.url;
      const url = `${base}${ROUTES.lobstrWebhook.replace(':token', testEnv().LOBSTR_WEBHOOK_TOKEN!)}`;
      const statuses = new Map<number, number>();
      const accepted = new Set<string>();
      const serverErrors: string[] = [];
      for (let i = 0; i < BODIES; i++) {
        const { text, type } = body();
        const response = await fetch(url, { method: 'POST', body: text, headers: { 'content-type': type } });
        const answer = await response.text();
        statuses.set(response.status, (statuses.get(response.status) ?? 0) + 1);
        if (response.status >= 500)
          serverErrors.push(`${text.slice(0, 200)} → ${response.status} ${answer.slice(0, 200)}`);
        if (response.status === 202) accepted.add((JSON.parse(answer) as { runId: string }).runId);
      }
      // Jobs in every state: BullMQ's default when no state is named.
      const jobs = await run.world.context.queues.scraping.getJobs();
      const runIds = jobs.map((job) => (job.data as { lobstrRunId: string }).lobstrRunId);
      const refusedButQueued = runIds.filter((id) => !accepted.has(id)).length;
      const row = report({
        scenario: `${BODIES} fuzzed Lobstr webhooks`,
        expected: accepted.size,
        lost: [...accepted].filter((id) => !runIds.includes(id)).length,
        duplicated: runIds.length - new Set(runIds).size + refusedButQueued,
        creditsOver: 0,
        stuck: serverErrors.length,
        uncertain: 0,
        requeueSeconds: null,
        recoverSeconds: null,
        notes:
          `answers ${JSON.stringify(Object.fromEntries(statuses))}; stuck = 5xx answers; ` +
          'dup = jobs for refused bodies or twice',
      });
      expect(serverErrors.slice(0, 5)).toEqual([]);
      expect(row).toMatchObject({ lost: 0, duplicated: 0, stuck: 0 });
      expect(statuses.get(400) ?? 0).toBeGreaterThan(500);
      expect(accepted.size).toBeGreaterThan(100);
    } finally {
      await run.close();
    }
  });
});
