// A worker process killed (SIGKILL) while the provider holds its request: the job is taken back
// by another process, which must not send again.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { JOB_IDS } from '@auto-prospect/core';
import { startFakeSmsMobileApi, testEnv, type FakeSmsMobileApi } from '@auto-prospect/testkit';
import { createTestWorld, type TestWorld } from './support/test-context.js';
import { contact, messageRow, seedAccount, settled } from './support/seed.js';
import { startWorkerProcess } from './support/worker-process.js';

let sms: FakeSmsMobileApi;
let world: TestWorld;
let overrides: Record<string, string>;

beforeAll(async () => {
  sms = await startFakeSmsMobileApi();
  overrides = {
    SMSMOBILEAPI_BASE_URL: sms.url,
    STALLED_JOB_SECONDS: '2',
    SMS_MIN_GAP_SECONDS: '0',
    PROVIDER_TIMEOUT_MS: '60000',
  };
  world = await createTestWorld(overrides);
});

afterAll(async () => {
  await world.teardown();
  await sms.close();
});

describe('a worker killed mid-send', () => {
  it(
    'leads to exactly one provider call; the message is left uncertain for an operator',
    { timeout: 60_000 },
    async () => {
      const account = await seedAccount(world.context);
      sms.keys.set(account.smsKey!, 'valid');
      sms.modes.hang = true;
      const id = await contact(world.context, { accountId: account.id, phone: '+33699000001', channel: 'sms' });

      const doomed = startWorkerProcess(
        testEnv({
          ...overrides,
          DATABASE_URL: world.db.url,
          QUEUE_PREFIX: world.queuePrefix.prefix,
          LOG_LEVEL: 'info',
        }),
      );
      await doomed.url;
      const providerCalls = () => sms.requests.filter((r) => r.path.startsWith('/sendsms')).length;
      await expect.poll(providerCalls, { timeout: 10_000 }).toBe(1);
      doomed.child.kill('SIGKILL');
      await doomed.exited();

      await world.context.start();
      expect(await settled(world.context.sql, id, 20_000)).toMatchObject({
        status: 'uncertain',
        error_code: 'INTERRUPTED_DURING_SEND',
      });
      const job = await world.context.queues.sms.getJob(JOB_IDS.message(id));
      await expect.poll(() => job!.getState()).toBe('failed');
      expect(providerCalls()).toBe(1);
    },
  );
});

describe('SIGTERM during a send', () => {
  it('exits 0 within the bound and leaves the message uncertain, not claimed', async () => {
    // A world of its own: no worker in this test process may pick the job up.
    const quiet = await createTestWorld(overrides);
    try {
      await stopOnSigterm(quiet);
    } finally {
      await quiet.teardown();
    }
  });
});

async function stopOnSigterm(quiet: TestWorld): Promise<void> {
  const account = await seedAccount(quiet.context);
  sms.keys.set(account.smsKey!, 'valid');
  sms.modes.hang = true;
  const id = await contact(quiet.context, { accountId: account.id, phone: '+33699000002', channel: 'sms' });
  const worker = startWorkerProcess(
    testEnv({
      ...overrides,
      DATABASE_URL: quiet.db.url,
      QUEUE_PREFIX: quiet.queuePrefix.prefix,
      LOG_LEVEL: 'info',
      SHUTDOWN_TIMEOUT_MS: '3000',
    }),
  );
  await worker.url;
  await expect
    .poll(() => sms.requests.filter((r) => r.path.startsWith('/sendsms') && r.body.includes('33699000002')).length, {
      timeout: 10_000,
    })
    .toBe(1);
  const signalledAt = Date.now();
  worker.child.kill('SIGTERM');
  const { code, afterMs } = await worker.exited(signalledAt);
  expect(code).toBe(0);
  expect(afterMs).toBeLessThan(3_000 + 1_000);
  expect(await messageRow(quiet.context.sql, id)).toMatchObject({
    status: 'uncertain',
    error_code: 'INTERRUPTED_BY_SHUTDOWN',
  });
}
