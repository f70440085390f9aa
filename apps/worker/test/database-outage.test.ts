// Postgres goes away while a send is with the provider: the answer the process holds is recorded
// once the database is back, not downgraded to `uncertain`, and the provider is asked once.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakeSmsMobileApi, startTcpProxy, type FakeSmsMobileApi, type TcpProxy } from '@auto-prospect/testkit';
import type { WorkerContext } from '../src/context.js';
import { createTestWorld, type TestWorld } from './support/test-context.js';
import { contact, credits, seedAccount, settled } from './support/seed.js';

let sms: FakeSmsMobileApi;
let proxy: TcpProxy;
let world: TestWorld;
let worker: WorkerContext;

beforeAll(async () => {
  sms = await startFakeSmsMobileApi();
  world = await createTestWorld({ SMSMOBILEAPI_BASE_URL: sms.url, SMS_MIN_GAP_SECONDS: '0' });
  // The worker process reaches the test database through a proxy the test can cut; the test
  // itself seeds and reads directly.
  const proxied = new URL(world.db.url);
  proxy = await startTcpProxy({ host: proxied.hostname, port: Number(proxied.port || 5432) });
  proxied.port = String(proxy.port);
  worker = world.addProcess({}, { DATABASE_URL: proxied.toString() });
  await worker.start();
});

afterAll(async () => {
  await world.teardown();
  await proxy.close();
  await sms.close();
});

describe('a database outage during a send', () => {
  it(
    "records the provider's answer once Postgres is back: sent, credit consumed, one provider call",
    { timeout: 60_000 },
    async () => {
      const account = await seedAccount(world.context, { smsCredits: 5 });
      sms.keys.set(account.smsKey!, 'valid');
      sms.modes.delayMs = 1_500;
      const id = await contact(world.context, { accountId: account.id, phone: '+33611000900', channel: 'sms' });

      await expect.poll(() => sms.sent.length, { timeout: 10_000 }).toBe(1);
      await proxy.cut();
      await new Promise((r) => setTimeout(r, 4_000));
      await proxy.restore();

      expect(await settled(world.context.sql, id, 30_000)).toMatchObject({ status: 'sent', credit_state: 'consumed' });
      expect(await credits(world.context.sql, account.id)).toMatchObject({ sms: 4, sms_reserved: 0 });
      expect(sms.sent).toHaveLength(1);
    },
  );
});
