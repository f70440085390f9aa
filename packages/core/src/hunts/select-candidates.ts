// The ads a hunt may contact, chosen in the database: matching filters, newest first, not yet
// contacted by the account, not suppressed, and only as many as today can use.
import type { Sql } from '../db/client.js';
import type { Channel } from '../messages/channel.js';
import { formatPrice, type TemplateValues } from '../templates/render-template.js';

export interface Candidate {
  adId: string;
  phone: string;
  values: TemplateValues;
  /** Channels already tried and failed for this ad by this account. */
  failedChannels: Channel[];
}

interface CandidateRow {
  adId: string; phone: string; title: string | null; price: number | null; brand: string | null; model: string | null;
  modelYear: number | null; city: string | null; owner: string | null; failedChannels: Channel[];
}

/** What a template and the waterfall need to know of an ad, for one account (an SQL expression). */
const candidateColumns = (sql: Sql, account: ReturnType<Sql>) => sql`
  a.id as "adId", a.phone_number as phone, a.title, a.price, b.name as brand, a.model, a.model_year as "modelYear",
  l.name as city, a.owner_name as owner,
  coalesce((select array_agg(distinct m.channel::text) from messages m
            where m.account_id = ${account} and m.ad_id = a.id and m.status = 'failed'), '{}'::text[]) as "failedChannels"`;

function toCandidate(r: CandidateRow): Candidate {
  return {
    adId: r.adId,
    phone: r.phone,
    failedChannels: r.failedChannels,
    values: {
      titre_annonce: r.title, prix: r.price === null ? null : formatPrice(r.price), marque: r.brand, modele: r.model,
      annee: r.modelYear, ville: r.city, vendeur_nom: r.owner,
    },
  };
}

/** One ad with a phone, as a candidate for an account (hand-over, manual contact). */
export async function loadCandidate(sql: Sql, accountId: string, adId: string): Promise<Candidate | null> {
  const [row] = await sql<CandidateRow[]>`
    select ${candidateColumns(sql, sql`${accountId}::uuid`)}
    from ads a left join locations l on l.id = a.location_id left join brands b on b.id = a.brand_id
    where a.id = ${adId} and a.phone_number is not null`;
  return row ? toCandidate(row) : null;
}

export async function selectCandidates(sql: Sql, huntId: string, usable: readonly Channel[], limit: number): Promise<Candidate[]> {
  if (limit <= 0 || usable.length === 0) return [];
  const rows = await sql<CandidateRow[]>`
    select ${candidateColumns(sql, sql`h.account_id`)}
    from hunts h
    join ads a on a.type_id = h.type_id
    left join locations l on l.id = a.location_id
    left join locations o on o.id = h.location_id
    left join brands b on b.id = a.brand_id
    where h.id = ${huntId}
      and a.phone_number is not null and a.accept_salesmen
      and (not exists (select 1 from sub_types_hunts s where s.hunt_id = h.id)
           or a.subtype_id in (select s.sub_type_id from sub_types_hunts s where s.hunt_id = h.id))
      and (not exists (select 1 from brands_hunts bh where bh.hunt_id = h.id)
           or a.brand_id in (select bh.brand_id from brands_hunts bh where bh.hunt_id = h.id))
      and (o.id is null or (l.id is not null and 2 * 6371 * asin(sqrt(
            power(sin(radians(l.lat - o.lat) / 2), 2) + cos(radians(o.lat)) * cos(radians(l.lat)) * power(sin(radians(l.lng - o.lng) / 2), 2)
          )) <= h.radius_in_km))
      and (h.price_min is null or a.price >= h.price_min) and (h.price_max is null or a.price <= h.price_max)
      and (h.mileage_min is null or a.mileage >= h.mileage_min) and (h.mileage_max is null or a.mileage <= h.mileage_max)
      and (h.model_year_min is null or a.model_year >= h.model_year_min) and (h.model_year_max is null or a.model_year <= h.model_year_max)
      and (not h.has_been_reposted or a.has_been_reposted) and (not h.price_has_dropped or a.price_has_dropped)
      and (not h.is_urgent or a.is_urgent) and (not h.has_been_boosted or a.has_been_boosted) and (not h.is_low_price or a.is_low_price)
      and not exists (select 1 from suppressed_phone_numbers s where s.phone_number = a.phone_number)
      and not exists (select 1 from contacted_ads c where c.account_id = h.account_id and c.ad_id = a.id)
      and not exists (select 1 from messages m where m.account_id = h.account_id and m.ad_id = a.id and m.status <> 'failed')
      -- an ad every usable channel already failed for has nothing left to try
      and (select count(distinct m.channel) from messages m
           where m.account_id = h.account_id and m.ad_id = a.id and m.channel = any(${sql.array(usable as Channel[])}::channel[])) < ${usable.length}
    order by a.last_publication_date desc nulls last, a.created_at desc, a.id
    limit ${limit}`;
  return rows.map(toCandidate);
}
