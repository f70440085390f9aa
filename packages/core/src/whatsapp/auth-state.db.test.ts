// Baileys creds and signal keys survive a restart through the database, encrypted.
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { proto } from '@whiskeysockets/baileys';
import { createTestDatabase, type TestDatabase } from '@auto-prospect/testkit';
import { createDatabase, type Sql } from '../db/client.js';
import { loadDatabaseAuthState } from './auth-state.js';

const KEY = 'c'.repeat(64);
let db: TestDatabase;
let sql: Sql;
let accountId: string;

beforeAll(async () => {
  db = await createTestDatabase();
  sql = createDatabase(db.url, { max: 2 });
  const [row] = await sql<{ id: string }[]>`insert into accounts (email) values ('wa@example.com') returning id`;
  accountId = row!.id;
});

afterAll(async () => {
  await sql.end();
  await db.drop();
});

describe('database auth state', () => {
  it('round-trips real initAuthCreds and every v7 key type through a restart', async () => {
    const first = await loadDatabaseAuthState(sql, accountId, KEY);
    const { creds } = first.state;
    creds.me = { id: '33611111111:1@s.whatsapp.net', name: 'Dealer', lid: '99:1@lid' };
    creds.registered = true;
    await first.saveCreds();
    const preKey = { private: randomBytes(32), public: randomBytes(32) };
    await first.state.keys.set({
      'pre-key': { '1': preKey, '2': { private: randomBytes(32), public: randomBytes(32) } },
      session: { '33622222222.0': randomBytes(64) },
      'sender-key': { 'g@g.us::x': randomBytes(16) },
      'app-state-sync-key': { AAA: { keyData: randomBytes(32), timestamp: 1 } },
      'lid-mapping': { '33622222222': '1234@lid' },
      'device-list': { '33622222222': ['0', '1'] },
      tctoken: { '33622222222@s.whatsapp.net': { token: randomBytes(8), timestamp: '1' } },
    });
    await first.state.keys.set({ 'pre-key': { '2': null } });

    const restarted = await loadDatabaseAuthState(sql, accountId, KEY);
    expect(restarted.state.creds.noiseKey.private).toEqual(creds.noiseKey.private);
    expect(Buffer.isBuffer(restarted.state.creds.signedIdentityKey.public)).toBe(true);
    expect(restarted.state.creds).toMatchObject({ registered: true, me: { id: '33611111111:1@s.whatsapp.net' } });
    const preKeys = await restarted.state.keys.get('pre-key', ['1', '2']);
    expect(preKeys['1']!.private).toEqual(preKey.private);
    expect(preKeys['2']).toBeUndefined();
    const appKey = (await restarted.state.keys.get('app-state-sync-key', ['AAA'])).AAA!;
    expect(appKey).toBeInstanceOf(proto.Message.AppStateSyncKeyData);
    expect(await restarted.state.keys.get('lid-mapping', ['33622222222'])).toEqual({ '33622222222': '1234@lid' });
    expect(await restarted.state.keys.get('device-list', ['33622222222'])).toEqual({ '33622222222': ['0', '1'] });
    expect(
      Buffer.isBuffer(
        (await restarted.state.keys.get('tctoken', ['33622222222@s.whatsapp.net']))['33622222222@s.whatsapp.net']!
          .token,
      ),
    ).toBe(true);
  });

  it('stores nothing readable: creds and keys are encrypted apart, in the web app format', async () => {
    const [row] = await sql<
      { credentials: string }[]
    >`select credentials from whatsapp_sessions where account_id = ${accountId}`;
    const stored = JSON.parse(row!.credentials) as Record<string, string>;
    expect(Object.keys(stored).sort()).toEqual(['creds', 'keys']);
    expect(row!.credentials).not.toMatch(/noiseKey|33611111111|pre-key|Buffer/);
    const wrongKey = loadDatabaseAuthState(sql, accountId, 'd'.repeat(64));
    await expect(wrongKey).rejects.toThrow(/cannot be decrypted/);
  });
});
