// A hunt's filters, read once and resolved to plain values before its candidates are looked for:
// the candidate query then names only the filters the hunt sets, as constants the planner can
// weigh against the ads' statistics, and its radius is the list of locations within it (the
// great-circle distance is computed per location, a few thousand rows, never per ad).
import type { PendingQuery, Row } from 'postgres';
import type { Queryable } from '../db/client.js';

export interface HuntFilters {
  typeId: number;
  subTypeIds: number[];
  brandIds: number[];
  /** The locations within the hunt's radius of its origin; null when the hunt has no origin. */
  locationIds: number[] | null;
  priceMin: number | null;
  priceMax: number | null;
  mileageMin: number | null;
  mileageMax: number | null;
  modelYearMin: number | null;
  modelYearMax: number | null;
  /** The ad flags the hunt requires (has_been_reposted, is_urgent…). */
  requiredFlags: AdFlag[];
}

const AD_FLAGS = ['has_been_reposted', 'price_has_dropped', 'is_urgent', 'has_been_boosted', 'is_low_price'] as const;
type AdFlag = (typeof AD_FLAGS)[number];

/** The hunt's filters; null for a hunt that does not exist or has no ad type (it matches nothing). */
export async function loadHuntFilters(sql: Queryable, huntId: string): Promise<HuntFilters | null> {
  const [row] = await sql<(Omit<HuntFilters, 'requiredFlags'> & Record<AdFlag, boolean>)[]>`
    select h.type_id as "typeId",
           array(select s.sub_type_id from sub_types_hunts s where s.hunt_id = h.id) as "subTypeIds",
           array(select b.brand_id from brands_hunts b where b.hunt_id = h.id) as "brandIds",
           case when o.id is not null then array(
             -- the band of latitudes the radius reaches (111.19 km per degree), then the exact distance
             select l.id from locations l
             where l.lat between o.lat - h.radius_in_km / 111.19 and o.lat + h.radius_in_km / 111.19
               and 2 * 6371 * asin(sqrt(power(sin(radians(l.lat - o.lat) / 2), 2)
                     + cos(radians(o.lat)) * cos(radians(l.lat)) * power(sin(radians(l.lng - o.lng) / 2), 2)
                   )) <= h.radius_in_km) end as "locationIds",
           h.price_min as "priceMin", h.price_max as "priceMax",
           h.mileage_min as "mileageMin", h.mileage_max as "mileageMax",
           h.model_year_min as "modelYearMin", h.model_year_max as "modelYearMax",
           ${sql.unsafe(AD_FLAGS.map((f) => `h.${f}`).join(', '))}
    from hunts h left join locations o on o.id = h.location_id
    where h.id = ${huntId} and h.type_id is not null`;
  if (!row) return null;
  const { typeId, subTypeIds, brandIds, locationIds, priceMin, priceMax } = row;
  const { mileageMin, mileageMax, modelYearMin, modelYearMax } = row;
  return {
    ...{ typeId, subTypeIds, brandIds, locationIds, priceMin, priceMax },
    ...{ mileageMin, mileageMax, modelYearMin, modelYearMax },
    requiredFlags: AD_FLAGS.filter((f) => row[f]),
  };
}

/** The filters the hunt sets, on an ad `a` (an SQL fragment). */
export function matchesHuntFilters(sql: Queryable, f: HuntFilters): PendingQuery<Row[]> {
  const bounds: [string, number | null, '>=' | '<='][] = [
    ['price', f.priceMin, '>='],
    ['price', f.priceMax, '<='],
    ['mileage', f.mileageMin, '>='],
    ['mileage', f.mileageMax, '<='],
    ['model_year', f.modelYearMin, '>='],
    ['model_year', f.modelYearMax, '<='],
  ];
  // One value is an equality, not `= any`: only then can an index on the column walk it newest first.
  const oneOf = (column: string, values: readonly number[]) =>
    values.length === 1 ? sql`${sql('a.' + column)} = ${values[0]!}` : sql`${sql('a.' + column)} = any(${values})`;
  const parts = [
    sql`a.type_id = ${f.typeId}`,
    ...(f.subTypeIds.length > 0 ? [oneOf('subtype_id', f.subTypeIds)] : []),
    ...(f.brandIds.length > 0 ? [oneOf('brand_id', f.brandIds)] : []),
    ...(f.locationIds ? [oneOf('location_id', f.locationIds)] : []),
    ...bounds.filter(([, v]) => v !== null).map(([column, v, op]) => sql`${sql('a.' + column)} ${sql.unsafe(op)} ${v}`),
    ...f.requiredFlags.map((flag) => sql`${sql('a.' + flag)}`),
  ];
  return parts.reduce((all, part) => sql`${all} and ${part}`);
}
