// `pnpm db:seed`: loads the demo tenant into DATABASE_URL (idempotent).
import { createDatabase } from '@auto-prospect/core/clients';
import { demoEnv } from './demo-env.js';
import { seedDemoTenant } from './demo-tenant.js';

const env = demoEnv(process.env);
const sql = createDatabase(env.DATABASE_URL, { max: 1 });
try {
  await seedDemoTenant(sql, env.SMS_API_KEY_ENCRYPTION_KEY);
  const [counts] = await sql<{ accounts: number; hunts: number; ads: number }[]>`
    select (select count(*)::int from accounts) as accounts, (select count(*)::int from hunts) as hunts,
           (select count(*)::int from ads) as ads`;
  process.stdout.write(
    `seeded demo tenant: ${counts!.accounts} accounts, ${counts!.hunts} hunts, ${counts!.ads} ads\n`,
  );
} finally {
  await sql.end();
}
