#!/usr/bin/env node
// Makes sure Redis and Postgres answer at REDIS_URL and DATABASE_URL (and, with --with-test-tools,
// that Debian's Chromium and promtool are there), then runs the given command with those variables set. Each
// URL comes from the environment, else from the `--env-file` the command's service reads, else
// the local default (local-env.mjs). Order of preference for each service: it already answers;
// start the installed server with a private data directory; install it from Debian packages
// (root only); otherwise stop and say what is missing.
import { spawnSync, spawn } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, chownSync } from 'node:fs';
import { connect } from 'node:net';
import { resolve } from 'node:path';
import postgres from 'postgres';
import { localConnections } from './local-env.mjs';
const stateDir = resolve(import.meta.dirname, '..', '.local');
const isRoot = process.getuid?.() === 0;
const log = (msg) => process.stderr.write(`[local-services] ${msg}\n`);

function fail(msg) {
  log(msg);
  process.exit(1);
}

function which(bin) {
  const r = spawnSync('sh', ['-c', `command -v ${bin}`], { encoding: 'utf8' });
  return r.status === 0 ? r.stdout.trim() : null;
}

function run(cmd, args, opts = {}) {
  const r = spawnSync(cmd, args, { stdio: ['ignore', 'inherit', 'inherit'], ...opts });
  return r.status === 0;
}

function portAnswers(host, port, timeoutMs = 1000) {
  return new Promise((done) => {
    const socket = connect({ host, port });
    const end = (ok) => {
      socket.destroy();
      done(ok);
    };
    socket.setTimeout(timeoutMs, () => end(false));
    socket.once('connect', () => end(true));
    socket.once('error', () => end(false));
  });
}

async function waitForPort(host, port, seconds) {
  for (let i = 0; i < seconds * 4; i++) {
    if (await portAnswers(host, port)) return true;
    await new Promise((r) => setTimeout(r, 250));
  }
  return false;
}

const isLocalHost = (host) => ['127.0.0.1', 'localhost', '::1', '[::1]'].includes(host);

function aptInstall(pkgs) {
  if (!isRoot || !which('apt-get')) return false;
  log(`installing ${pkgs.join(' ')} from Debian packages`);
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  return run('apt-get', ['update', '-qq'], { env }) && run('apt-get', ['install', '-y', '-qq', ...pkgs], { env });
}

async function ensureRedis(url) {
  const { hostname, port: p } = new URL(url);
  const port = Number(p || 6379);
  if (await portAnswers(hostname, port)) return;
  if (!isLocalHost(hostname)) fail(`Redis at ${hostname}:${port} does not answer (REDIS_URL).`);
  if (!which('redis-server') && !aptInstall(['redis-server'])) {
    fail(
      'Redis is not running and redis-server is not installed. Install it (apt-get install ' +
        'redis-server) or run `docker compose up -d redis postgres`.',
    );
  }
  const dir = resolve(stateDir, 'redis');
  mkdirSync(dir, { recursive: true });
  log(`starting redis-server on port ${port} (data in ${dir})`);
  run('redis-server', [
    '--daemonize',
    'yes',
    '--bind',
    '127.0.0.1',
    '--port',
    String(port),
    '--save',
    '',
    '--appendonly',
    'no',
    '--maxmemory-policy',
    'noeviction',
    '--dir',
    dir,
    '--logfile',
    resolve(dir, 'redis.log'),
  ]);
  if (!(await waitForPort(hostname, port, 15))) fail(`redis-server did not start; see ${dir}/redis.log`);
}

function postgresBinDir() {
  const onPath = which('initdb');
  if (onPath) return resolve(onPath, '..');
  const root = '/usr/lib/postgresql';
  if (!existsSync(root)) return null;
  const versions = readdirSync(root).sort((a, b) => Number(b) - Number(a));
  for (const v of versions) if (existsSync(`${root}/${v}/bin/initdb`)) return `${root}/${v}/bin`;
  return null;
}

function startDebianClusters() {
  if (!isRoot || !which('pg_lsclusters')) return false;
  const list = spawnSync('pg_lsclusters', ['--no-header'], { encoding: 'utf8' }).stdout ?? '';
  const clusters = list
    .trim()
    .split('\n')
    .filter(Boolean)
    .map((l) => l.split(/\s+/));
  for (const [version, name] of clusters) {
    log(`starting PostgreSQL cluster ${version}/${name}`);
    run('pg_ctlcluster', ['--skip-systemctl-redirect', version, name, 'start']);
  }
  return clusters.length > 0;
}

function startPrivateCluster(binDir, port) {
  const dir = resolve(stateDir, 'postgres');
  // initdb refuses to run as root: run the server as the `postgres` system user then.
  const asUser = isRoot ? ['runuser', '-u', 'postgres', '--'] : [];
  if (!existsSync(resolve(dir, 'PG_VERSION'))) {
    mkdirSync(dir, { recursive: true });
    if (isRoot) {
      const id = spawnSync('id', ['-u', 'postgres'], { encoding: 'utf8' });
      const gid = spawnSync('id', ['-g', 'postgres'], { encoding: 'utf8' });
      if (id.status !== 0) fail('running as root but there is no `postgres` user to run PostgreSQL.');
      chownSync(dir, Number(id.stdout), Number(gid.stdout));
    }
    log(`initialising a private PostgreSQL cluster in ${dir}`);
    const [cmd, ...pre] = [...asUser, `${binDir}/initdb`];
    if (!run(cmd, [...pre, '-D', dir, '-U', 'postgres', '--auth=trust', '-E', 'UTF8'])) {
      fail('initdb failed');
    }
  }
  log(`starting PostgreSQL on port ${port} (data in ${dir})`);
  const [cmd, ...pre] = [...asUser, `${binDir}/pg_ctl`];
  run(cmd, [
    ...pre,
    '-D',
    dir,
    '-l',
    resolve(dir, 'server.log'),
    '-w',
    'start',
    '-o',
    `-p ${port} -c listen_addresses=127.0.0.1 -k ${dir}`,
  ]);
}

async function ensurePostgres(url) {
  const { hostname, port: p } = new URL(url);
  const port = Number(p || 5432);
  if (!(await portAnswers(hostname, port))) {
    if (!isLocalHost(hostname)) fail(`PostgreSQL at ${hostname}:${port} does not answer (DATABASE_URL).`);
    if (!startDebianClusters() || !(await waitForPort(hostname, port, 10))) {
      let binDir = postgresBinDir();
      if (!binDir && aptInstall(['postgresql']) && startDebianClusters()) binDir = postgresBinDir();
      if (!(await portAnswers(hostname, port))) {
        if (!binDir) {
          fail(
            'PostgreSQL is not running and not installed. Install it (apt-get install ' +
              'postgresql) or run `docker compose up -d redis postgres`.',
          );
        }
        startPrivateCluster(binDir, port);
      }
    }
    if (!(await waitForPort(hostname, port, 30))) fail(`PostgreSQL did not start on port ${port}.`);
  }
  await ensureDatabase(url);
}

async function ensureDatabase(url) {
  const target = new URL(url);
  const dbName = decodeURIComponent(target.pathname.slice(1)) || 'postgres';
  const admin = new URL(url);
  admin.pathname = '/postgres';
  const sql = postgres(admin.toString(), { max: 1, onnotice: () => {}, connect_timeout: 10 });
  try {
    const [row] = await sql`select 1 from pg_database where datname = ${dbName}`;
    if (!row) {
      log(`creating database ${dbName}`);
      await sql.unsafe(`create database "${dbName.replaceAll('"', '""')}"`);
    }
  } catch (err) {
    fail(`cannot use PostgreSQL at ${target.host}: ${err.message}`);
  } finally {
    await sql.end();
  }
}

/**
 * Debian's Chromium (the dashboard's browser test) and promtool (the /metrics format check);
 * missing, those tests are skipped.
 */
function ensureTestTools() {
  if (!existsSync('/usr/bin/chromium') && !aptInstall(['chromium'])) {
    log('Chromium is not installed (apt-get install chromium): the dashboard browser test will be skipped.');
  }
  if (!existsSync('/usr/bin/promtool') && !aptInstall(['--no-install-recommends', 'prometheus'])) {
    log('promtool is not installed (apt-get install prometheus): the /metrics format check will be skipped.');
  }
}

const options = process.argv.slice(2);
const withTestTools = options[0] === '--with-test-tools';
if (withTestTools) options.shift();
const envFile = options[0] === '--env-file' ? options.splice(0, 2)[1] : undefined;
const [cmd, ...args] = options;
if (withTestTools) ensureTestTools();
Object.assign(process.env, localConnections(process.env, envFile));
await ensureRedis(process.env.REDIS_URL);
await ensurePostgres(process.env.DATABASE_URL);
if (cmd) {
  const child = spawn(cmd, args, { stdio: 'inherit', env: process.env });
  for (const sig of ['SIGINT', 'SIGTERM']) process.on(sig, () => child.kill(sig));
  child.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
}
