// Private Redis and Postgres servers for the fault suite: on free loopback ports, data in a temp
// dir, so a scenario may flush or stop them without touching the machine's shared servers.
// Postgres refuses to run as root: initdb/pg_ctl run as the `postgres` OS user.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { chmodSync, chownSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { once } from 'node:events';
import { userInfo } from 'node:os';
import { Redis } from 'ioredis';
import { within } from '../src/lifecycle.js';
import { freePort } from '../test/support/free-port.js';

const asPostgresUser = (args: string[]) => (userInfo().uid === 0 ? ['runuser', '-u', 'postgres', '--', ...args] : args);

/** Which of the binaries the suite needs are missing from PATH. */
export function missingBinaries(): string[] {
  return ['redis-server', 'initdb', 'pg_ctl', 'postgres'].filter(
    (bin) => spawnSync('sh', ['-c', `command -v ${bin}`]).status !== 0,
  );
}

function run(args: string[]): void {
  const [cmd, ...rest] = asPostgresUser(args);
  const result = spawnSync(cmd!, rest, { encoding: 'utf8' });
  if (result.status !== 0) throw new Error(`${args.join(' ')} failed:\n${result.stdout}${result.stderr}`);
}

export interface PostgresServer {
  port: number;
  dataDir: string;
  url: string;
  start(): void;
  /** `pg_ctl stop -m fast`: connections are cut, new ones refused until start(). */
  stop(): void;
}

/** A Postgres server handle; initialise() creates the cluster once (trust auth, loopback only). */
export function postgresServer(dir: string, port: number): PostgresServer & { initialise(): void } {
  const dataDir = join(dir, 'pg');
  const options =
    `-c listen_addresses=127.0.0.1 -p ${port} -c unix_socket_directories=${dataDir} ` +
    '-c fsync=off -c max_connections=300';
  return {
    port,
    dataDir,
    url: `postgres://postgres@127.0.0.1:${port}/postgres?sslmode=disable`,
    initialise() {
      mkdirSync(dataDir, { mode: 0o700 });
      if (userInfo().uid === 0) {
        const id = (flag: string) => Number(spawnSync('id', [flag, 'postgres'], { encoding: 'utf8' }).stdout);
        chownSync(dataDir, id('-u'), id('-g'));
      }
      run(['initdb', '-D', dataDir, '-A', 'trust', '-U', 'postgres', '--no-sync', '-E', 'UTF8']);
    },
    start: () =>
      run(['pg_ctl', '-D', dataDir, '-l', join(dataDir, 'server.log'), '-o', options, '-w', '-t', '60', 'start']),
    stop: () => run(['pg_ctl', '-D', dataDir, '-m', 'fast', '-w', 'stop']),
  };
}

export interface RedisServer {
  port: number;
  url: string;
  stop(): Promise<void>;
}

/** `extraArgs`: more redis-server options (a cluster node's, for instance). */
export async function startRedisServer(dir: string, extraArgs: string[] = []): Promise<RedisServer> {
  const port = await freePort();
  const child: ChildProcess = spawn(
    'redis-server',
    [
      '--port',
      String(port),
      '--bind',
      '127.0.0.1',
      '--save',
      '',
      '--appendonly',
      'no',
      '--daemonize',
      'no',
      '--dir',
      dir,
      '--logfile',
      join(dir, `redis-${port}.log`),
      ...extraArgs,
    ],
    { stdio: 'ignore' },
  );
  // Ready once it answers a PING.
  const probe = new Redis(port, '127.0.0.1', { maxRetriesPerRequest: null, retryStrategy: () => 100 });
  probe.on('error', () => {});
  try {
    await within(15_000, probe.ping(), 'starting redis-server');
  } finally {
    probe.disconnect();
  }
  return {
    port,
    url: `redis://127.0.0.1:${port}`,
    async stop() {
      if (child.exitCode !== null) return;
      const exited = once(child, 'exit');
      child.kill('SIGTERM');
      await exited;
    },
  };
}

/** The temp dir must be traversable by the postgres user. */
export function openToPostgres(dir: string): void {
  chmodSync(dir, 0o755);
}
