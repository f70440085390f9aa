// The postgres driver as patched (patches/postgres@3.4.9.patch) when a connection is lost: the
// process survives and the pool serves again. Both tests fail on the unpatched 3.4.9.
import { connect } from 'node:net';
import { afterAll, beforeAll, expect, it } from 'vitest';
import postgres from 'postgres';
import { createTestDatabase, startTcpProxy, type TcpProxy, type TestDatabase } from '@auto-prospect/testkit';
import { createDatabase } from './client.js';

let db: TestDatabase;
let proxy: TcpProxy;
const uncaught: unknown[] = [];
const record = (err: unknown) => uncaught.push(err);
const nextTurns = () => new Promise((r) => setTimeout(r, 100));

beforeAll(async () => {
  db = await createTestDatabase();
  const url = new URL(db.url);
  proxy = await startTcpProxy({ host: url.hostname, port: Number(url.port || 5432) });
  process.on('uncaughtException', record);
});

afterAll(async () => {
  process.off('uncaughtException', record);
  await proxy.close();
  await db.drop();
});

it(
  'a transaction whose connection is cut rejects, the process survives, ' + 'and the pool serves once Postgres is back',
  async () => {
    const url = new URL(db.url);
    url.port = String(proxy.port);
    const sql = createDatabase(url.toString(), { max: 1 });
    try {
      let started!: () => void;
      const inFlight = new Promise<void>((r) => (started = r));
      const transaction = sql.begin(async (tx) => {
        await tx`select 1`;
        started();
        await tx`select pg_sleep(5)`;
      });
      await inFlight;
      await proxy.cut();
      // begin() then sends its own ROLLBACK on the closed connection: unpatched, an uncaught TypeError.
      await expect(transaction).rejects.toMatchObject({ code: 'CONNECTION_CLOSED' });
      await nextTurns();
      expect(uncaught).toEqual([]);

      await proxy.restore();
      expect(await sql`select 1 as one`).toEqual([{ one: 1 }]);
    } finally {
      await sql.end({ timeout: 1 });
    }
  },
);

it('a connection closed while a write waits to be flushed works again after reconnecting', async () => {
  let socket!: ReturnType<typeof connect>;
  const url = new URL(db.url);
  // `socket` (the driver opens no socket of its own) is documented but missing from its types.
  const options = {
    max: 1,
    connect_timeout: 2,
    onnotice: () => {},
    socket: () => (socket = connect(Number(url.port || 5432), url.hostname)),
  };
  const sql = postgres(db.url, options);
  try {
    await sql`select 1`;
    // The driver flushes small writes on the next turn (setImmediate); a query sent from an
    // immediate while its socket closes in the same turn leaves that flush pending at the close.
    const cut = await new Promise<Promise<unknown>>((resolve) =>
      setImmediate(() => {
        const query = sql`select 2`.catch((err: unknown) => err);
        socket.destroy();
        resolve(query);
      }),
    );
    expect(await cut).toMatchObject({ code: 'CONNECTION_CLOSED' });
    // Unpatched: the stale flush keeps every later write unsent and each connect times out.
    expect(await sql`select 3 as three`).toEqual([{ three: 3 }]);
    expect(uncaught).toEqual([]);
  } finally {
    await sql.end({ timeout: 1 });
  }
});
