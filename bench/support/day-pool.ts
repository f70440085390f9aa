// The world of bench/day, generated in SQL: places all over France, an ads pool of the last 60
// days and dealers with three active SMS hunts each. Popularity is skewed as on Leboncoin: a few
// brands and places hold most ads, 15 % of ads are not cars, 10 % of phones are landlines, 5 % of
// ads have no phone, sellers often have several ads.
import type { Sql } from '@auto-prospect/core/clients';

/** Synthetic towns spread over metropolitan France (its latitude and longitude band). */
const PLACES = 5_000;

export async function seedPlaces(sql: Sql): Promise<void> {
  await sql`
    insert into locations (zipcode, name, lat, lng)
    select lpad((10000 + g)::text, 5, '0'), 'Bench ' || g, 42.5 + 8.5 * random(), -4.5 + 12.5 * random()
    from generate_series(1, ${PLACES}) g`;
}

/**
 * `count` ads, written oldest first as daily ingestion writes them. Numbered lists of types (cars
 * first), brands and places let one random number per ad pick each, skewed towards the first ones
 * (the popular brands, the big towns).
 */
export async function seedAds(sql: Sql, count: number): Promise<void> {
  await sql`
    with typ as (select row_number() over (order by (lobstr_value <> 'Voiture'), id) as n, id from ad_types),
         brand as (select row_number() over (order by id) as n, id from brands),
         place as (select row_number() over (order by id) as n, id from locations),
         pick as (
           select g, random() as r1, random() as r2, random() as r3, random() as r4, random() as r5,
                  case when random() < 0.85 then 1 else 2 + floor(random() * 2)::int end as type_n,
                  1 + floor((select count(*) from brand) * power(random(), 2))::int as brand_n,
                  1 + floor((select count(*) from place) * power(random(), 1.5))::int as place_n,
                  case when random() < 0.05 then null
                       when random() < 0.1 then '+331' || lpad(floor(random() * 1e8)::text, 8, '0')
                       -- 0.8 phones per ad: about one seller in four has several ads
                       else '+336' || lpad(floor(random() * ${count} * 0.8)::text, 8, '0') end as phone,
                  current_date - floor(random() * 60)::int as day
           from generate_series(1, ${count}) g)
    insert into ads (original_ad_id, type_id, brand_id, location_id, title, price, mileage, model_year,
                     phone_number, has_phone, owner_name, accept_salesmen, last_publication_date,
                     initial_publication_date, created_at)
    select 'bench-' || p.g, t.id, b.id, l.id, 'Annonce ' || p.g, 1000 + floor(p.r1 * 39000)::int,
           floor(p.r2 * 250000)::int, 2005 + floor(p.r3 * 21)::int, p.phone, p.phone is not null, 'Vendeur ' || p.g,
           p.r4 < 0.95, p.day, p.day, p.day + p.r5 * interval '1 day'
    from pick p join typ t on t.n = p.type_n join brand b on b.n = p.brand_n join place l on l.n = p.place_n
    -- in the order ingestion writes them: each day's new ads after the day before's
    order by p.day, p.r5`;
}

/**
 * `count` dealers on SMS (their key encrypted once: every dealer may share it in a dry run), with
 * credits for the day, a template, and three active hunts each: a type, a place and a radius of
 * 10 to 100 km, a daily limit of 1 to 5, for 40 % a maximum price and for 40 % one or two brands.
 */
export async function seedDealers(sql: Sql, count: number, encryptedSmsKey: string): Promise<void> {
  await sql`
    insert into accounts (email, name, sms_api_key)
    select 'dealer' || g || '@bench.test', 'Dealer ' || g, ${encryptedSmsKey} from generate_series(1, ${count}) g`;
  await sql`insert into credit_balances (account_id, sms) select id, 1000 from accounts`;
  await sql`
    insert into message_templates (account_id, name, channel, content)
    select id, 'Premier contact', 'sms', 'Bonjour {vendeur_nom}, votre {titre_annonce} à {prix} nous intéresse.'
    from accounts`;
  await sql`
    with typ as (select row_number() over (order by (lobstr_value <> 'Voiture'), id) as n, id from ad_types),
         place as (select row_number() over (order by id) as n, id from locations),
         pick as (
           select a.id as account_id, t.id as template_id, k,
                  case when random() < 0.85 then 1 else 2 + floor(random() * 2)::int end as type_n,
                  1 + floor((select count(*) from place) * power(random(), 1.5))::int as place_n,
                  (array[10, 20, 30, 50, 100])[1 + floor(random() * 5)::int] as radius,
                  1 + floor(random() * 5)::int as daily_limit,
                  case when random() < 0.4 then 5000 + floor(random() * 20000)::int end as price_max
           from accounts a join message_templates t on t.account_id = a.id cross join generate_series(1, 3) k)
    insert into hunts (account_id, name, type_id, location_id, radius_in_km, daily_pacing_limit, price_max,
                       outreach_settings, template_ids)
    select p.account_id, 'Hunt ' || p.k, t.id, l.id, p.radius, p.daily_limit, p.price_max,
           '{"sms": true, "whatsapp": false, "ringlessVoice": false}', jsonb_build_object('sms', p.template_id)
    from pick p join typ t on t.n = p.type_n join place l on l.n = p.place_n`;
  await sql`
    with brand as (select row_number() over (order by id) as n, id from brands),
         pick as (
           select h.id as hunt_id, 1 + floor((select count(*) from brand) * power(random(), 2))::int as brand_n
           from hunts h cross join generate_series(1, 2) k
           where random() < case k when 1 then 0.4 else 0.15 end)
    insert into brands_hunts (hunt_id, brand_id)
    select distinct p.hunt_id, b.id from pick p join brand b on b.n = p.brand_n`;
}
