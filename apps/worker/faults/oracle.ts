// The differential oracle: a clean run of the tenant says which contacts to expect, and a run
// under a fault is measured against it (lost, duplicated, credits overspent, stuck).
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Channel } from '@auto-prospect/core';
import type { FaultWorld } from './fault-world.js';
import { stuckCount } from './run-state.js';
import { report, suiteDir } from './suite.js';
import type { FaultRow } from './table.js';
import { createTenantWorld, liveContacts, type TenantWorld } from './tenant-world.js';

/** The contacts a clean run makes (key → channel), computed once per suite. */
export async function expectedContacts(): Promise<Map<string, Channel>> {
  const file = join(suiteDir(), 'baseline.json');
  if (!existsSync(file)) {
    const run = await createTenantWorld('baseline');
    try {
      await run.startWorkers(1);
      await run.trigger();
      const recover = await run.waitFinished();
      const contacts = await liveContacts(run);
      const expected = new Map(
        [...contacts].filter(([, m]) => m.length === 1 && m[0]!.status === 'sent').map(([k, m]) => [k, m[0]!.channel]),
      );
      const row = await assess(run, expected, { scenario: 'baseline (no fault)', recoverSeconds: recover });
      const count = (channel: string) => [...expected.values()].filter((c) => c === channel).length;
      row.notes = `${count('sms')} sms, ${count('ringless_voice')} voice`;
      report(row);
      if (row.lost + row.duplicated + row.creditsOver + row.stuck + row.uncertain > 0 || expected.size < 20) {
        throw new Error(`the clean run is not clean: ${JSON.stringify(row)}`);
      }
      writeFileSync(file, JSON.stringify([...expected]));
    } finally {
      await run.close();
    }
  }
  return new Map(JSON.parse(readFileSync(file, 'utf8')) as [string, Channel][]);
}

/** Compares a finished (or given up) run with the clean one and measures what the row reports. */
export async function assess(
  run: TenantWorld,
  expected: Map<string, Channel>,
  row: { scenario: string; requeueSeconds?: number | null; recoverSeconds: number | null; notes?: string },
): Promise<FaultRow> {
  const contacts = await liveContacts(run);
  const problems: string[] = [];
  let lost = 0;
  let uncertain = 0;
  for (const [key, channel] of expected) {
    const held = contacts.get(key)?.[0];
    if (held?.status === 'uncertain') uncertain++;
    else if (held?.status !== 'sent' || held.channel !== channel) {
      lost++;
      problems.push(`${key} ${channel} → ${held ? `${held.channel}:${held.status}` : 'none'}`);
    }
  }
  const unexpected = [...contacts.keys()].filter((key) => !expected.has(key));
  const doubles = [...contacts.values()].reduce((sum, held) => sum + held.length - 1, 0);
  const duplicated = doubles + providerDuplicates(run);
  const creditsOver = await creditsOverspent(run);
  const stuck = await stuckCount(run.sql);
  const notes = [
    row.notes,
    unexpected.length ? `unexpected contacts ${unexpected.length}: ${unexpected.slice(0, 3).join(' ')}` : '',
    problems.length ? `lost: ${problems.slice(0, 3).join('; ')}` : '',
    run.crashes ? `${run.crashes} worker crash(es)` : '',
  ]
    .filter(Boolean)
    .join('; ');
  return {
    scenario: row.scenario,
    expected: expected.size,
    lost: lost + unexpected.length,
    duplicated,
    creditsOver,
    stuck,
    uncertain,
    requeueSeconds: row.requeueSeconds ?? null,
    recoverSeconds: row.recoverSeconds,
    notes,
  };
}

/** Provider calls accepted more than once for one (account, recipient). */
export function providerDuplicates(run: FaultWorld): number {
  const calls = new Map<string, number>();
  for (const s of run.sms.sent)
    calls.set(`sms:${s.apikey}:${s.recipients}`, (calls.get(`sms:${s.apikey}:${s.recipients}`) ?? 0) + 1);
  // Voice Partner's key is the platform's: the recipient alone names the contact (only one account has voice).
  // A campaign carries up to 500 numbers: each number accepted is one call to its recipient.
  for (const n of run.voice.campaigns.flatMap((c) => c.numbers))
    calls.set(`voice:${n}`, (calls.get(`voice:${n}`) ?? 0) + 1);
  return [...calls.values()].reduce((sum, n) => sum + Math.max(0, n - 1), 0);
}

/**
 * Balances (account × metered channel) that went negative, or consumed more than the provider
 * accepted for the account (consumed = the balance given at seeding − the balance now).
 */
export async function creditsOverspent(run: FaultWorld): Promise<number> {
  const rows = await run.sql<
    { id: string; sms: number; sms_reserved: number; voice: number; voice_reserved: number }[]
  >`
    select account_id as id, sms, sms_reserved, ringless_voice as voice, ringless_voice_reserved as voice_reserved
    from credit_balances`;
  const voicePhones = await run.sql<{ account_id: string; recipient_phone: string }[]>`
    select distinct account_id, recipient_phone from messages where channel = 'ringless_voice'`;
  let over = 0;
  for (const r of rows) {
    const given = run.accounts.get(r.id);
    if (!given) continue;
    const smsAccepted = run.sms.sent.filter((s) => s.apikey === given.smsKey).length;
    const phones = new Set(voicePhones.filter((p) => p.account_id === r.id).map((p) => p.recipient_phone));
    const voiceAccepted = run.voice.campaigns.flatMap((c) => c.numbers).filter((n) => phones.has(n)).length;
    if (r.sms < 0 || r.sms_reserved < 0 || given.sms - r.sms > smsAccepted) over++;
    if (r.voice < 0 || r.voice_reserved < 0 || given.voice - r.voice > voiceAccepted) over++;
  }
  return over;
}
