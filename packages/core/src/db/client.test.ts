import { describe, expect, it } from 'vitest';
import { createDatabase } from './client.js';

describe('createDatabase', () => {
  it("prepares statements except behind Supabase's transaction pooler (port 6543)", async () => {
    const direct = createDatabase('postgres://postgres@db.example.supabase.co:5432/postgres');
    const pooled = createDatabase('postgres://postgres.ref@aws-0-eu.pooler.supabase.com:6543/postgres');
    expect([direct.options.prepare, pooled.options.prepare]).toEqual([true, false]);
    await Promise.all([direct.end(), pooled.end()]);
  });
});
