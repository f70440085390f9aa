// `pnpm demo`: one whole daily run in dry-run mode on the demo tenant, then a summary.
import { createDatabase } from '@auto-prospect/core/clients';
import { demoEnv } from './demo-env.js';

const env = demoEnv(process.env);
const sql = createDatabase(env.DATABASE_URL, { max: 1 });
try {
  const [active] = await sql<{ hunts: number }[]>`select count(*)::int as hunts from hunts where status = 'active'`;
  process.stdout.write(`${active!.hunts} active hunts in the demo tenant\n`);
  // The daily run (fetch-active-hunts → hunt orchestration → channel queues) is not built yet.
  process.stdout.write('no hunts to run yet: the daily run is not implemented in this version\n');
} finally {
  await sql.end();
}
