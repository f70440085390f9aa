// Test files about SMS dealers: one fake SMSMobileAPI and the worlds a file creates, torn down
// after its tests, and dealers with SMS-only hunts over ads of their own.
import { afterAll, beforeAll } from 'vitest';
import { startFakeSmsMobileApi, type FakeSmsMobileApi } from '@auto-prospect/testkit';
import type { WorkerContext } from '../../src/context.js';
import { createTestWorld, type TestWorld } from './test-context.js';
import { seedAccount, seedTemplate, type SeededAccount } from './seed.js';

export interface SmsDealers {
  readonly sms: FakeSmsMobileApi;
  /** A world whose SMS go to the fake, without pacing unless overridden. */
  world(overrides?: Record<string, string>): Promise<TestWorld>;
}

/** Registers the fake and the teardown of every world with the calling file's hooks. */
export function useSmsDealers(defaults: Record<string, string> = {}): SmsDealers {
  let sms: FakeSmsMobileApi | undefined;
  const worlds: TestWorld[] = [];
  beforeAll(async () => {
    sms = await startFakeSmsMobileApi();
  });
  afterAll(async () => {
    await Promise.all(worlds.map((w) => w.teardown()));
    await sms?.close();
  });
  return {
    get sms() {
      return sms!;
    },
    async world(overrides = {}) {
      const created = await createTestWorld({
        SMSMOBILEAPI_BASE_URL: sms!.url,
        SMS_MIN_GAP_SECONDS: '0',
        ...defaults,
        ...overrides,
      });
      worlds.push(created);
      return created;
    },
  };
}

export interface SmsDealerSpec {
  /** Ads of the dealer's city, phones `+336<phonePrefix>` + 6 digits. */
  ads: number;
  phonePrefix: string;
  zipcode?: string;
  hunts?: number;
  /** Each hunt's daily limit (all ads by default). */
  limit?: number;
  /** SMS credits (one per ad by default). */
  smsCredits?: number;
}

/** A dealer with a valid SMS key in the fake and SMS-only hunts over its ads (radius 20 km). */
export async function seedSmsDealer(
  context: WorkerContext,
  sms: FakeSmsMobileApi,
  spec: SmsDealerSpec,
): Promise<SeededAccount & { huntIds: string[] }> {
  const zipcode = spec.zipcode ?? '75015';
  const account = await seedAccount(context, { smsCredits: spec.smsCredits ?? spec.ads });
  sms.keys.set(account.smsKey!, 'valid');
  const templateId = await seedTemplate(context.sql, account.id, 'sms');
  await context.sql`
    insert into ads (original_ad_id, type_id, location_id, phone_number, has_phone, title, last_publication_date)
    select ${spec.phonePrefix} || '-' || n, (select id from ad_types where lobstr_value = 'Voiture'),
           (select id from locations where zipcode = ${zipcode} limit 1),
           ${`+336${spec.phonePrefix}`} || lpad(n::text, 6, '0'), true, 'Clio', '2026-11-20'
    from generate_series(1, ${spec.ads}) n`;
  const huntIds: string[] = [];
  for (let h = 0; h < (spec.hunts ?? 1); h++) {
    const [hunt] = await context.sql<{ id: string }[]>`
      insert into hunts (account_id, name, type_id, location_id, radius_in_km, daily_pacing_limit,
                         outreach_settings, template_ids)
      values (${account.id}, ${`hunt ${h}`}, (select id from ad_types where lobstr_value = 'Voiture'),
              (select id from locations where zipcode = ${zipcode} limit 1), 20, ${spec.limit ?? spec.ads},
              ${context.sql.json({ sms: true, whatsapp: false, ringlessVoice: false })},
              ${context.sql.json({ sms: templateId })})
      returning id`;
    huntIds.push(hunt!.id);
  }
  return { ...account, huntIds };
}
