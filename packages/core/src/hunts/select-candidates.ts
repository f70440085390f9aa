// The ads a hunt may contact, chosen in the database: matching filters, not yet contacted by the
// account, not suppressed, reachable on a channel that still has room, one ad per seller (the
// newest), newest first, and only as many as today can use.
import type { Queryable } from '../db/client.js';
import type { Channel } from '../channel.js';
import { isMobile } from '../phone/phone-number.js';
import { formatPrice, type TemplateValues } from '../templates/render-template.js';

export interface Candidate {
  adId: string;
  /** E.164. */
  phone: string;
  /** The phone can get SMS and WhatsApp (a landline only voicemail). */
  mobile: boolean;
  /** Channels already tried and failed for this ad by this account. */
  failedChannels: Channel[];
  /** The seller's other matching ads, which wait for a later day (one contact per seller a day). */
  sellerOtherAds: number;
  values: TemplateValues;
}

export interface CandidatePage {
  candidates: Candidate[];
  /** Matching ads whose seller already has a live contact from the account today. */
  sellerContactedToday: number;
}

export interface CandidateQuery {
  huntId: string;
  accountId: string;
  localDate: string;
  /** Usable channels that still have room today: a candidate must be reachable on one of them. */
  channels: readonly Channel[];
  limit: number;
}

interface CandidateRow {
  adId: string;
  phone: string;
  mobile: boolean | null;
  failedChannels: Channel[];
  sellerOtherAds: number;
  sellerContactedToday: number;
  title: string | null;
  price: number | null;
  brand: string | null;
  model: string | null;
  modelYear: number | null;
  city: string | null;
  owner: string | null;
}

/** What the waterfall and a template need to know of an ad, for one account (an SQL fragment). */
const candidateColumns = (sql: Queryable, accountId: string) => sql`
  a.id as "adId", a.phone_number as phone, a.phone_is_mobile as mobile,
  a.title, a.price, b.name as brand, a.model, a.model_year as "modelYear", l.name as city, a.owner_name as owner,
  -- the account's other messages for the ad: a live one excludes the ad, so these have failed
  array(select m.channel::text from messages m
        where m.account_id = ${accountId} and m.ad_id = a.id) as "failedChannels"`;

function toCandidate(r: CandidateRow): Candidate {
  return {
    adId: r.adId,
    phone: r.phone,
    // Not classified in the database (a foreign number written without the flag): libphonenumber decides.
    mobile: r.mobile ?? isMobile(r.phone),
    failedChannels: r.failedChannels,
    sellerOtherAds: r.sellerOtherAds,
    values: {
      titre_annonce: r.title,
      prix: r.price === null ? null : formatPrice(r.price),
      marque: r.brand,
      modele: r.model,
      annee: r.modelYear,
      ville: r.city,
      vendeur_nom: r.owner,
    },
  };
}

/** One ad with a phone that has not opted out, as a candidate for an account (hand-over to the next channel). */
export async function loadCandidate(sql: Queryable, accountId: string, adId: string): Promise<Candidate | null> {
  const [row] = await sql<CandidateRow[]>`
    select ${candidateColumns(sql, accountId)}, 0 as "sellerOtherAds", 0 as "sellerContactedToday"
    from ads a left join locations l on l.id = a.location_id left join brands b on b.id = a.brand_id
    where a.id = ${adId} and a.phone_number is not null
      and not exists (select 1 from suppressed_phone_numbers s where s.phone_number = a.phone_number)`;
  return row ? toCandidate(row) : null;
}

/** The hunt's own filters on an ad `a` at location `l`, for the hunt row `h` (an SQL fragment). */
const matchesHuntFilters = (sql: Queryable) => sql`
  (cardinality(h.sub_type_ids) = 0 or a.subtype_id = any(h.sub_type_ids))
  and (cardinality(h.brand_ids) = 0 or a.brand_id = any(h.brand_ids))
  and (h.origin_id is null or (l.id is not null and 2 * 6371 * asin(sqrt(
        power(sin(radians(l.lat - h.origin_lat) / 2), 2)
        + cos(radians(h.origin_lat)) * cos(radians(l.lat))
          * power(sin(radians(l.lng - h.origin_lng) / 2), 2)
      )) <= h.radius_in_km))
  and (h.price_min is null or a.price >= h.price_min) and (h.price_max is null or a.price <= h.price_max)
  and (h.mileage_min is null or a.mileage >= h.mileage_min)
  and (h.mileage_max is null or a.mileage <= h.mileage_max)
  and (h.model_year_min is null or a.model_year >= h.model_year_min)
  and (h.model_year_max is null or a.model_year <= h.model_year_max)
  and (not h.has_been_reposted or a.has_been_reposted) and (not h.price_has_dropped or a.price_has_dropped)
  and (not h.is_urgent or a.is_urgent) and (not h.has_been_boosted or a.has_been_boosted)
  and (not h.is_low_price or a.is_low_price)`;

export async function selectCandidates(sql: Queryable, query: CandidateQuery): Promise<CandidatePage> {
  if (query.limit <= 0 || query.channels.length === 0) return { candidates: [], sellerContactedToday: 0 };
  const { huntId, accountId, localDate } = query;
  // Per matching ad only what decides eligibility and order; names, failed channels and the
  // seller's day are looked up for the few rows that need them. The hunt (one row, with its
  // origin and lists) is materialised so nothing about it is re-read per ad.
  const rows = await sql<CandidateRow[]>`
    with hunt as materialized (
      select h.*, o.id as origin_id, o.lat as origin_lat, o.lng as origin_lng,
             array(select s.sub_type_id from sub_types_hunts s where s.hunt_id = h.id) as sub_type_ids,
             array(select bh.brand_id from brands_hunts bh where bh.hunt_id = h.id) as brand_ids
      from hunts h left join locations o on o.id = h.location_id where h.id = ${huntId}
    ), matching as (
      select a.id, a.phone_number as phone, a.last_publication_date, a.created_at
      from hunt h
      join ads a on a.type_id = h.type_id
      left join locations l on l.id = a.location_id
      where a.phone_number is not null and a.accept_salesmen
        and (${matchesHuntFilters(sql)})
        and not exists (select 1 from suppressed_phone_numbers s where s.phone_number = a.phone_number)
        and not exists (select 1 from contacted_ads c where c.account_id = ${accountId} and c.ad_id = a.id)
        and not exists (select 1 from messages m
                        where m.account_id = ${accountId} and m.ad_id = a.id and m.status <> 'failed')
        -- reachable on a channel with room that this ad has not already failed on
        and exists (select 1 from unnest(${sql.array(query.channels as Channel[])}::channel[]) c(channel)
                    -- an unclassified phone may be a mobile: the waterfall checks it with libphonenumber
                    where (c.channel = 'ringless_voice' or a.phone_is_mobile is not false)
                      and not exists (select 1 from messages m
                                      where m.account_id = ${accountId} and m.ad_id = a.id and m.channel = c.channel))
    ), sellers as (
      -- one candidate per seller: the newest of their matching ads
      select m.*,
             row_number() over (
               partition by m.phone order by m.last_publication_date desc nulls last, m.created_at desc, m.id
             ) as seller_rank,
             count(*) over (partition by m.phone)::int as seller_ads
      from matching m
    ), firsts as (
      -- one contact per seller and day: a live message today, or one still waiting to go out
      select s.*, exists (select 1 from messages x
                          where x.account_id = ${accountId} and x.recipient_phone = s.phone and x.status <> 'failed'
                            and (x.local_date = ${localDate} or x.status in ('pending', 'sending'))) as contacted_today
      from sellers s where s.seller_rank = 1
    ), page as (
      select f.*, coalesce(sum(f.seller_ads) filter (where f.contacted_today) over (), 0)::int as seller_contacted_today
      from firsts f
    )
    select ${candidateColumns(sql, accountId)}, p.seller_ads - 1 as "sellerOtherAds",
           p.seller_contacted_today as "sellerContactedToday"
    from (select * from page where not contacted_today
          order by last_publication_date desc nulls last, created_at desc, id limit ${query.limit}) p
    join ads a on a.id = p.id
    left join locations l on l.id = a.location_id
    left join brands b on b.id = a.brand_id
    order by p.last_publication_date desc nulls last, p.created_at desc, p.id`;
  // The count is over every matching ad, so it comes with any row; with no row, nothing to count.
  return { candidates: rows.map(toCandidate), sellerContactedToday: rows[0]?.sellerContactedToday ?? 0 };
}
