// The queue dashboard in a real browser (Debian's Chromium driven by playwright-core): refused
// without credentials, every queue shown with them. A screenshot is saved under test/artifacts.
import { existsSync, mkdirSync } from 'node:fs';
import { resolve } from 'node:path';
import { chromium } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { QUEUES, ROUTES } from '@auto-prospect/core';
import { testEnv } from '@auto-prospect/testkit';
import { createTestWorld, type TestWorld } from './support/test-context.js';

const CHROMIUM = '/usr/bin/chromium';
const ARTIFACTS = resolve(import.meta.dirname, 'artifacts');
let world: TestWorld;
let url: string;

beforeAll(async () => {
  world = await createTestWorld();
  await world.context.start();
  const address = world.context.app.server.address();
  url = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
});

afterAll(async () => {
  await world.teardown();
});

describe.skipIf(!existsSync(CHROMIUM))('queue dashboard', () => {
  it('refuses anyone without credentials', async () => {
    const response = await fetch(url + ROUTES.dashboard);
    expect(response.status).toBe(401);
    expect(response.headers.get('www-authenticate')).toMatch(/^Basic/);
  });

  it('shows every queue to an authenticated operator', { timeout: 60_000 }, async () => {
    const browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
      ],
    });
    try {
      const page = await (
        await browser.newContext({ httpCredentials: { username: 'ops', password: testEnv().API_SECRET! } })
      ).newPage();
      const response = await page.goto(url + ROUTES.dashboard);
      expect(response?.status()).toBe(200);
      for (const name of Object.values(QUEUES))
        await page.getByText(name, { exact: true }).first().waitFor({ timeout: 15_000 });
      mkdirSync(ARTIFACTS, { recursive: true });
      await page.screenshot({ path: resolve(ARTIFACTS, 'dashboard.png'), fullPage: true });
      expect(existsSync(resolve(ARTIFACTS, 'dashboard.png'))).toBe(true);
    } finally {
      await browser.close();
    }
  });
});
