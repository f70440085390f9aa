// `pnpm bench [ingest|fanout|webhook|pipeline|day …] [size]`: runs the benchmarks named (all by
// default), each in a process of its own so none starts with another's memory, passing the size on.
import { spawnSync } from 'node:child_process';

const BENCHES = ['ingest', 'fanout', 'webhook', 'pipeline', 'day'];
const args = process.argv.slice(2);
const unknown = args.filter((a) => !BENCHES.includes(a) && !/^\d+$/.test(a));
if (unknown.length > 0)
  throw new Error(`unknown argument ${unknown.join(' ')}: give benchmarks among ${BENCHES.join(', ')} and a size`);
const named = args.filter((a) => BENCHES.includes(a));
const size = args.filter((a) => /^\d+$/.test(a));

for (const name of named.length > 0 ? named : BENCHES) {
  const run = spawnSync(
    process.execPath,
    ['--import', 'tsx', '--conditions=source', '--expose-gc', `${name}.ts`, ...size],
    { stdio: 'inherit' },
  );
  if (run.status !== 0) process.exit(run.status ?? 1);
}
