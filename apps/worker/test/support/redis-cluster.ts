// A private Redis Cluster of three masters on loopback ports (redis-server --cluster-enabled), for
// tests that must show the worker runs unchanged on a cluster. Each node keeps its cluster state
// in its own directory under one temp dir, removed on stop.
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { vi } from 'vitest';
import { startRedisServer } from '../../faults/servers.js';

export interface RedisCluster {
  /** REDIS_CLUSTER_NODES: host:port of every master. */
  nodes: string;
  stop(): Promise<void>;
}

export const redisServerMissing =
  spawnSync('sh', ['-c', 'command -v redis-server && command -v redis-cli']).status !== 0;

export async function startRedisCluster(): Promise<RedisCluster> {
  const dir = mkdtempSync(join(tmpdir(), 'ap-redis-cluster-'));
  const servers = await Promise.all(
    [0, 1, 2].map((i) => {
      const nodeDir = join(dir, String(i));
      mkdirSync(nodeDir);
      return startRedisServer(nodeDir, [
        '--cluster-enabled',
        'yes',
        '--cluster-config-file',
        'nodes.conf',
        '--cluster-node-timeout',
        '5000',
      ]);
    }),
  );
  const nodes = servers.map((s) => `127.0.0.1:${s.port}`);
  const created = spawnSync(
    'redis-cli',
    ['--cluster', 'create', ...nodes, '--cluster-replicas', '0', '--cluster-yes'],
    { encoding: 'utf8' },
  );
  if (created.status !== 0) throw new Error(`redis-cli --cluster create failed:\n${created.stdout}${created.stderr}`);
  // The slots are assigned at once; every node agrees the cluster is up a moment later.
  await vi.waitFor(
    () => {
      const up = servers.every((s) =>
        spawnSync('redis-cli', ['-p', String(s.port), 'cluster', 'info'], { encoding: 'utf8' }).stdout.includes(
          'cluster_state:ok',
        ),
      );
      if (!up) throw new Error('the cluster is not up yet');
    },
    { timeout: 20_000, interval: 200 },
  );
  return {
    nodes: nodes.join(','),
    async stop() {
      await Promise.all(servers.map((s) => s.stop()));
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
