// Each request leaves one readable line: method, route, status, duration and request id; the
// bearer token never appears.
import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger, ROUTES } from '@auto-prospect/core';
import { testEnv } from '@auto-prospect/testkit';
import { createTestWorld, type TestWorld } from './support/test-context.js';

let lines: string[] = [];
let world: TestWorld;

beforeAll(async () => {
  const sink = new Writable({
    write: (chunk: Buffer, _encoding, done) => {
      lines.push(...chunk.toString().split('\n').filter(Boolean));
      done();
    },
  });
  world = await createTestWorld({}, { logger: createLogger('info', sink) });
});

afterAll(() => world.teardown());

describe('request log lines', () => {
  it('name method, route, status, duration and request id, without the token', async () => {
    lines = [];
    const runId = 'd1000000-0000-4000-8000-000000000000';
    const response = await world.context.app.inject({
      method: 'GET',
      url: ROUTES.dailyRun.replace(':runId', runId),
      headers: { authorization: `Bearer ${testEnv().API_SECRET!}` },
    });
    expect(response.statusCode).toBe(404);
    const completed = lines
      .map((l) => JSON.parse(l) as Record<string, unknown>)
      .filter((l) => l.msg === 'request completed');
    expect(completed).toHaveLength(1);
    expect(completed[0]).toMatchObject({ method: 'GET', route: ROUTES.dailyRun, status: 404 });
    expect([typeof completed[0]!.durationMs, typeof completed[0]!.reqId]).toEqual(['number', 'string']);
    expect(lines.join('\n')).not.toContain(testEnv().API_SECRET!);
  });

  it('stay quiet for health probes', async () => {
    lines = [];
    await world.context.app.inject(ROUTES.healthLive);
    expect(lines).toEqual([]);
  });
});
