// The end-to-end tenant of test/support/tenant.ts in a fault world, and what its accounts hold
// once the run is over.
import type { Channel } from '@auto-prospect/core';
import { loadDatabaseAuthState } from '@auto-prospect/core/clients';
import { fixtureAds, seedTenant, type SeededTenant } from '../test/support/tenant.js';
import { createFaultWorld, type FaultWorld } from './fault-world.js';
import { recordSecrets } from './suite.js';

export interface TenantWorld extends FaultWorld {
  tenant: SeededTenant;
}

/**
 * The built worker has no seam for a fake WhatsApp (it would dial WhatsApp's servers), so the
 * tenant's sessions are removed: its hunts use SMS and voice only, and the clean run, not
 * tenant.ts's oracle, says what to expect.
 */
export async function createTenantWorld(name: string, overrides: Record<string, string> = {}): Promise<TenantWorld> {
  const fault = await createFaultWorld(name, overrides);
  const ads = fixtureAds(500);
  const tenant = await seedTenant(fault.world.context, ads);
  const accounts = Object.values(tenant.accounts);
  await fault.registerAccounts(accounts);
  const whatsappKeys: string[] = [];
  for (const account of accounts) {
    const { state } = await loadDatabaseAuthState(
      fault.sql,
      account.id,
      fault.world.context.env.WHATSAPP_ENCRYPTION_KEY,
    );
    if (state.creds.registered)
      for (const pair of [state.creds.noiseKey, state.creds.signedIdentityKey])
        whatsappKeys.push(Buffer.from(pair.private).toString('base64'));
  }
  recordSecrets(whatsappKeys);
  await fault.sql`delete from whatsapp_sessions`;
  return Object.assign(fault, { tenant });
}

/** (account letter, ad number) → what the account holds for the ad: its live messages (not `failed`). */
export type Contacts = Map<string, { channel: Channel; status: string }[]>;

export async function liveContacts(run: TenantWorld): Promise<Contacts> {
  const letter = new Map(Object.entries(run.tenant.accounts).map(([l, a]) => [a.id, l]));
  const rows = await run.sql<{ account_id: string; ad_id: string; channel: Channel; status: string }[]>`
    select account_id, ad_id, channel, status::text from messages where status <> 'failed' order by created_at, id`;
  const contacts: Contacts = new Map();
  for (const r of rows) {
    const key = `${letter.get(r.account_id)}:${run.tenant.adIds.get(r.ad_id)}`;
    contacts.set(key, [...(contacts.get(key) ?? []), { channel: r.channel, status: r.status }]);
  }
  return contacts;
}
