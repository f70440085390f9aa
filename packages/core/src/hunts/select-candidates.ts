// The ads a hunt may contact, chosen in the database: matching filters, not yet contacted by the
// account, not suppressed, reachable on a channel that still has room, one ad per seller (the
// newest), newest first, and only as many as today can use.
import type { Queryable } from '../db/client.js';
import type { Channel } from '../channel.js';
import { isMobile } from '../phone/phone-number.js';
import { formatPrice, type TemplateValues } from '../templates/render-template.js';
import { loadHuntFilters, matchesHuntFilters, type HuntFilters } from './hunt-filters.js';

export interface Candidate {
  adId: string;
  /** E.164. */
  phone: string;
  /** The phone can get SMS and WhatsApp (a landline only voicemail). */
  mobile: boolean;
  /**
   * Channels the account cannot try this ad on: failed for good (the recipient or the message, not
   * the sender's setup or a pause), or tried on the day being planned (one channel a day).
   */
  closedChannels: Channel[];
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
  closedChannels: Channel[];
  sellerOtherAds: number;
  title: string | null;
  price: number | null;
  brand: string | null;
  model: string | null;
  modelYear: number | null;
  city: string | null;
  owner: string | null;
}

/** The account's messages for the ad `a` that close their channel on `localDate` (an SQL condition). */
const closesChannel = (sql: Queryable, accountId: string, localDate: string) => sql`
  m.account_id = ${accountId} and m.ad_id = a.id
  and (public.message_closes_channel(m.status, m.failure_blame) or m.local_date = ${localDate})`;

/** What the waterfall and a template need to know of an ad, for one account and day (an SQL fragment). */
const candidateColumns = (sql: Queryable, accountId: string, localDate: string) => sql`
  a.id as "adId", a.phone_number as phone, a.phone_is_mobile as mobile,
  a.title, a.price, b.name as brand, a.model, a.model_year as "modelYear", l.name as city, a.owner_name as owner,
  -- a live message excludes the ad, so these are failures (and today's attempts)
  array(select m.channel::text from messages m where ${closesChannel(sql, accountId, localDate)}) as "closedChannels"`;

function toCandidate(r: CandidateRow): Candidate {
  return {
    adId: r.adId,
    phone: r.phone,
    // Not classified in the database (a foreign number written without the flag): libphonenumber decides.
    mobile: r.mobile ?? isMobile(r.phone),
    closedChannels: r.closedChannels,
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

/** One ad with a phone that has not opted out, as a candidate for an account on a day (hand-over, manual contact). */
export async function loadCandidate(
  sql: Queryable,
  accountId: string,
  adId: string,
  localDate: string,
): Promise<Candidate | null> {
  const [row] = await sql<CandidateRow[]>`
    select ${candidateColumns(sql, accountId, localDate)}, 0 as "sellerOtherAds"
    from ads a left join locations l on l.id = a.location_id left join brands b on b.id = a.brand_id
    where a.id = ${adId} and a.phone_number is not null
      and not exists (select 1 from suppressed_phone_numbers s where s.phone_number = a.phone_number)`;
  return row ? toCandidate(row) : null;
}

/**
 * How the rest of the transaction plans its candidate queries. Past Postgres' JIT threshold (a hunt
 * over a large pool of ads), compiling the query costs about a second, tens of times the query
 * itself: never. No parallel workers: hunts already plan side by side, and a parallel walk
 * measured 4.7 s where the plain one took 0.2.
 */
export async function planCandidateQueries(tx: Queryable): Promise<void> {
  await tx`select set_config('jit', 'off', true), set_config('max_parallel_workers_per_gather', '0', true)`;
}

/**
 * The candidate query's best plan depends on the hunt's filters (walk the newest ads of its type
 * or brand, or read a narrow hunt's few places): a plan cached for another hunt measured 3× slower
 * at p95 over a million ads, so its statements are planned for each hunt. Only its own: the
 * allocation's other statements keep their cached plans (planning them all again measured ≈ 0.1 ms
 * more per contact).
 */
const customPlans = (sql: Queryable, on: boolean) =>
  sql`select set_config('plan_cache_mode', ${on ? 'force_custom_plan' : 'auto'}, true)`;

/**
 * The first walk covers the limit twice plus a margin (sellers with several ads, sellers already
 * contacted today); a walk that falls short goes again four times longer, until the limit is met
 * or the hunt's matching ads run out. Bounded by what the day needs, not by the size of the pool.
 */
const firstWalk = (limit: number) => 2 * limit + 20;
const WALK_GROWTH = 4;

export async function selectCandidates(sql: Queryable, query: CandidateQuery): Promise<CandidatePage> {
  const none = { candidates: [], sellerContactedToday: 0 };
  if (query.limit <= 0 || query.channels.length === 0) return none;
  const filters = await loadHuntFilters(sql, query.huntId);
  if (!filters) return none;
  await customPlans(sql, true);
  for (let walk = firstWalk(query.limit); ; walk *= WALK_GROWTH) {
    const rows = await exactWalk(sql, query, filters, walk);
    const candidates = rows.filter((r): r is WalkRow & CandidateRow => r.adId !== null);
    if (candidates.length >= query.limit || rows[0]!.walked < walk) {
      await customPlans(sql, false);
      // The count is over every ad walked, so it comes with the first row.
      return { candidates: candidates.map(toCandidate), sellerContactedToday: rows[0]!.sellerContactedToday };
    }
  }
}

/**
 * The walk, once the phones it met that SQL could not classify (foreign numbers written without
 * the flag) are classified for good: it never offers an SMS or WhatsApp hunt a page of landlines.
 */
async function exactWalk(sql: Queryable, query: CandidateQuery, filters: HuntFilters, walk: number) {
  for (;;) {
    const rows = await candidatesAmongNewest(sql, query, filters, walk);
    const { unclassified } = rows[0]!;
    if (unclassified.length === 0 || (await classifyPhones(sql, unclassified)) === 0) return rows;
  }
}

/**
 * Records whether each phone is a mobile, on every ad that has it; returns how many ads it
 * classified. Rows another transaction holds are left for a later selection (libphonenumber still
 * decides for them in the waterfall): waiting for them could deadlock with another account's.
 */
async function classifyPhones(sql: Queryable, phones: string[]): Promise<number> {
  const classified = await sql`
    update ads a set phone_is_mobile = u.mobile
    from unnest(${phones}::text[], ${sql.array(phones.map((phone) => isMobile(phone)))}::boolean[]) as u(phone, mobile)
    where a.phone_number = u.phone
      and a.id in (select id from ads where phone_number = any(${phones}::text[]) and phone_is_mobile is null
                   for update skip locked)`;
  return classified.count;
}

type WalkRow = { walked: number; sellerContactedToday: number; unclassified: string[] } & (
  CandidateRow | NullRow<CandidateRow>
);
type NullRow<T> = { [K in keyof T]: null };

/**
 * Walks the hunt's eligible matching ads newest first (an index walk that stops after `walk`
 * rows), keeps each seller's newest and leaves out sellers already contacted today. Always one
 * row at least: `walked` tells whether the walk reached the end of the hunt's ads.
 */
async function candidatesAmongNewest(
  sql: Queryable,
  query: CandidateQuery,
  filters: HuntFilters,
  walk: number,
): Promise<WalkRow[]> {
  const { accountId, localDate } = query;
  return sql<WalkRow[]>`
    with walked as (
      select a.id, a.phone_number as phone, a.phone_is_mobile, a.last_publication_date, a.created_at
      from ads a
      where ${matchesHuntFilters(sql, filters)} and a.phone_number is not null and a.accept_salesmen
        and not exists (select 1 from suppressed_phone_numbers s where s.phone_number = a.phone_number)
        and not exists (select 1 from contacted_ads c where c.account_id = ${accountId} and c.ad_id = a.id)
        and not exists (select 1 from messages m
                        where m.account_id = ${accountId} and m.ad_id = a.id and m.status <> 'failed')
        -- reachable on a channel with room that this ad has not already failed on
        and exists (select 1 from unnest(${sql.array(query.channels as Channel[])}::channel[]) c(channel)
                    -- an unclassified phone may be a mobile (exactWalk classifies it and walks again)
                    where (c.channel = 'ringless_voice' or a.phone_is_mobile is not false)
                      and not exists (select 1 from messages m
                                      where ${closesChannel(sql, accountId, localDate)} and m.channel = c.channel))
      order by a.last_publication_date desc nulls last, a.created_at desc, a.id
      limit ${walk}
    ), sellers as (
      -- one candidate per seller: the newest of their ads walked (a walk is a newest-first prefix,
      -- so it is the newest of all their matching ads)
      select w.*,
             row_number() over (
               partition by w.phone order by w.last_publication_date desc nulls last, w.created_at desc, w.id
             ) as seller_rank,
             count(*) over (partition by w.phone)::int as seller_ads
      from walked w
    ), firsts as (
      -- one contact per seller and day: a live message today, or one still waiting to go out
      select s.*, exists (select 1 from messages x
                          where x.account_id = ${accountId} and x.recipient_phone = s.phone and x.status <> 'failed'
                            and (x.local_date = ${localDate} or x.status in ('pending', 'sending'))) as contacted_today
      from sellers s where s.seller_rank = 1
    ), page as (
      select f.*, row_number() over (order by f.last_publication_date desc nulls last, f.created_at desc, f.id) as rank
      from firsts f where not f.contacted_today
    )
    select n.walked, n.seller_contacted_today as "sellerContactedToday", n.unclassified, c.*
    from (select (select count(*) from walked)::int as walked,
                 (select coalesce(sum(seller_ads), 0) from firsts where contacted_today)::int as seller_contacted_today,
                 array(select distinct phone from walked where phone_is_mobile is null) as unclassified
         ) n
    left join lateral (
      select ${candidateColumns(sql, accountId, localDate)}, p.seller_ads - 1 as "sellerOtherAds", p.rank
      from page p
      join ads a on a.id = p.id
      left join locations l on l.id = a.location_id
      left join brands b on b.id = a.brand_id
      where p.rank <= ${query.limit}
    ) c on true
    order by c.rank`;
}
