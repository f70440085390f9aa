// Sentry: one event for a job that fails for good after its attempts, and one for a message a
// stopping process left uncertain, with context and neither phone numbers nor keys. The DSN
// points at a fake Sentry on 127.0.0.1.
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { JOB_IDS, JOBS, ROUTES } from '@auto-prospect/core';
import {
  sendJson,
  startFakeServer,
  startFakeSmsMobileApi,
  type FakeServer,
  type FakeSmsMobileApi,
} from '@auto-prospect/testkit';
import { createTestWorld, type TestWorld } from './support/test-context.js';
import { contact, createPending, seedAccount, settled } from './support/seed.js';

let sentry: FakeServer;
let sms: FakeSmsMobileApi;
let world: TestWorld;

beforeAll(async () => {
  sentry = await startFakeServer((_req, res) => sendJson(res, 200, { id: 'ok' }));
  sms = await startFakeSmsMobileApi();
  world = await createTestWorld({
    SENTRY_DSN: `http://publickey@127.0.0.1:${new URL(sentry.url).port}/1`,
    SMSMOBILEAPI_BASE_URL: sms.url,
    SMS_MIN_GAP_SECONDS: '0',
  });
  await world.context.start();
});

afterAll(async () => {
  await world.teardown();
  await sms.close();
  await sentry.close();
});

/** The built module, as the running service loads it. */
const errorReportingJs = resolve(import.meta.dirname, '..', 'dist', 'error-reporting.js');

const events = () => sentry.requests.filter((r) => r.path.includes('/envelope')).map((r) => r.body);

describe('error reporting', () => {
  it('reports a job once, on its final failure, with context and no phone number or key', async () => {
    const account = await seedAccount(world.context);
    sms.keys.set(account.smsKey!, 'valid');
    sms.modes.serverErrorNext = 1_000;
    const created = await createPending(world.context, {
      accountId: account.id,
      phone: '+33688776655',
      channel: 'sms',
    });
    const messageId = (created as { messageId: string }).messageId;
    const job = await world.context.queues.sms.add(
      JOBS.sendMessage,
      { messageId },
      {
        jobId: JOB_IDS.message(messageId),
        attempts: 3,
        backoff: { type: 'fixed', delay: 10 },
      },
    );
    expect(await settled(world.context.sql, messageId)).toMatchObject({
      status: 'failed',
      error_code: 'SMS_SERVER_ERROR',
    });
    await expect.poll(() => job.getState()).toBe('failed');
    expect((await world.context.queues.sms.getJob(job.id!))!.attemptsMade).toBe(3);

    await expect.poll(() => events().length, { timeout: 10_000 }).toBe(1);
    await new Promise((r) => setTimeout(r, 500));
    expect(events()).toHaveLength(1);
    const event = events()[0]!;
    expect(event).toContain('"error_code":"SMS_SERVER_ERROR"');
    expect(event).toContain('"queue":"channel-sms"');
    expect(event).toContain(JOB_IDS.message(messageId));
    for (const secret of ['88776655', '+33688776655', account.smsKey!, world.context.env.SMS_API_KEY_ENCRYPTION_KEY])
      expect(event).not.toContain(secret);
  });

  it(
    'carries the code of a job failed for good by the boundary itself (invalid data) ' + 'to Sentry and /metrics',
    async () => {
      const before = events().length;
      const job = await world.context.queues.sms.add(
        JOBS.sendMessage,
        { messageId: 'not-a-message-id' },
        { jobId: 'invalid-data-job', attempts: 3 },
      );
      await expect.poll(() => job.getState()).toBe('failed');
      expect((await world.context.queues.sms.getJob(job.id!))!.attemptsMade).toBe(1);
      await expect.poll(() => events().length, { timeout: 10_000 }).toBe(before + 1);
      expect(events().at(-1)).toContain('"error_code":"INVALID_JOB_DATA"');
      const metrics = (
        await world.context.app.inject({
          method: 'GET',
          url: ROUTES.metrics,
          headers: { authorization: `Bearer ${world.context.env.API_SECRET}` },
        })
      ).body;
      expect(metrics).toMatch(
        /auto_prospect_jobs_total\{queue="channel-sms",status="failed",error_code="INVALID_JOB_DATA"\} 1\n/,
      );
    },
  );

  it(
    'reports a message left uncertain by a stopping process once, without its number',
    { timeout: 30_000 },
    async () => {
      const stopping = await createTestWorld({
        SENTRY_DSN: `http://publickey@127.0.0.1:${new URL(sentry.url).port}/1`,
        SMSMOBILEAPI_BASE_URL: sms.url,
        SMS_MIN_GAP_SECONDS: '0',
        SHUTDOWN_TIMEOUT_MS: '1000',
      });
      try {
        const account = await seedAccount(stopping.context);
        sms.keys.set(account.smsKey!, 'valid');
        sms.modes.hang = true;
        const before = events().length;
        await stopping.context.start();
        const id = await contact(stopping.context, { accountId: account.id, phone: '+33688770011', channel: 'sms' });
        await expect
          .poll(() => sms.requests.filter((r) => r.body.includes('33688770011')).length, { timeout: 10_000 })
          .toBe(1);
        await stopping.context.close();

        await expect.poll(() => events().length - before, { timeout: 10_000 }).toBe(1);
        const event = events().at(-1)!;
        expect(event).toContain('"error_code":"INTERRUPTED_BY_SHUTDOWN"');
        expect(event).toContain(id);
        for (const secret of ['88770011', account.smsKey!]) expect(event).not.toContain(secret);
      } finally {
        sms.modes.hang = false;
        await stopping.teardown();
      }
    },
  );

  it('reports an HTTP 5xx once, with its route and no detail in the answer', async () => {
    const before = events().length;
    // A fault the route cannot handle: its table is gone for a moment.
    await world.context.sql`alter table daily_runs rename to daily_runs_away`;
    try {
      const answer = await world.context.app.inject({
        url: ROUTES.dailyRun.replace(':runId', 'd1000000-0000-4000-8000-000000000000'),
        headers: { authorization: `Bearer ${world.context.env.API_SECRET}` },
      });
      expect(answer.statusCode).toBe(500);
      expect(answer.json()).toEqual({ error: 'INTERNAL_ERROR', message: 'internal error' });
    } finally {
      await world.context.sql`alter table daily_runs_away rename to daily_runs`;
    }
    await expect.poll(() => events().length - before, { timeout: 10_000 }).toBe(1);
    expect(events().at(-1)).toContain(ROUTES.dailyRun);
  });

  it.each([
    ['an uncaught exception', 'setTimeout(() => { throw new Error("boom for +33612340000"); }, 10)'],
    ['an unhandled rejection', 'setTimeout(() => { Promise.reject(new Error("boom for +33612340000")); }, 10)'],
  ])('reports %s, masked, and the process exits', async (_name, fault) => {
    const before = events().length;
    const dsn = `http://publickey@127.0.0.1:${new URL(sentry.url).port}/1`;
    const script =
      `const m = await import(${JSON.stringify(pathToFileURL(errorReportingJs).href)}); ` +
      `m.createErrorReporter(${JSON.stringify(dsn)}); ${fault}`;
    const child = spawn(process.execPath, ['--input-type=module', '-e', script], { stdio: 'ignore' });
    const [code] = (await once(child, 'exit')) as [number | null];
    expect(code).not.toBe(0);
    await expect.poll(() => events().length - before, { timeout: 10_000 }).toBe(1);
    expect(events().at(-1)).toContain('boom for ******0000');
    expect(events().at(-1)).not.toContain('612340000');
  });
});
