import type { Queryable } from '../db/client.js';
import { AD_ROW_COLUMNS, type AdRow } from './ad-row.js';

export interface UpsertCounts {
  inserted: number;
  updated: number;
  unchanged: number;
}

/**
 * Inserts new ads and refreshes what a scrape knows of existing ones, in one statement.
 * Rows must have distinct original_ad_id (Postgres refuses to update one row twice in a
 * statement). User-set columns (favourite, is_whatsapp_phone) are never touched, and a row
 * whose scraped values did not change is left alone (no write, updated_at kept).
 */
// Built once from the column list (fixed identifiers, no input): every scraped column but the key.
const SCRAPED = AD_ROW_COLUMNS.filter((c) => c !== 'original_ad_id');
const REFRESH = SCRAPED.map((c) => `${c} = excluded.${c}`).join(', ');
const STORED = SCRAPED.map((c) => `ads.${c}`).join(', ');
const INCOMING = SCRAPED.map((c) => `excluded.${c}`).join(', ');
const CHANGED = `(${STORED}) is distinct from (${INCOMING})`;

export async function upsertAds(sql: Queryable, rows: readonly AdRow[]): Promise<UpsertCounts> {
  if (rows.length === 0) return { inserted: 0, updated: 0, unchanged: 0 };
  const written = await sql<{ inserted: boolean }[]>`
    insert into ads ${sql(rows as AdRow[], AD_ROW_COLUMNS)}
    on conflict (original_ad_id) do update set ${sql.unsafe(REFRESH)}, updated_at = now()
    where ${sql.unsafe(CHANGED)}
    returning (xmax = 0) as inserted`;
  const inserted = written.filter((r) => r.inserted).length;
  return { inserted, updated: written.length - inserted, unchanged: rows.length - written.length };
}
