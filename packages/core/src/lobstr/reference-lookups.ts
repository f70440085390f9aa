// Reference tables keyed by the labels Lobstr returns, loaded once per ingest.
import type { Sql } from '../db/client.js';

export interface ReferenceLookups {
  adTypes: ReadonlyMap<string, number>;
  /** Keyed `${adTypeId}|${label}`: a subtype only exists within its ad type. */
  subTypes: ReadonlyMap<string, number>;
  brands: ReadonlyMap<string, number>;
  fuels: ReadonlyMap<string, number>;
  gearBoxes: ReadonlyMap<string, number>;
  drivingLicences: ReadonlyMap<string, number>;
  vehicleSeats: ReadonlyMap<string, number>;
  vehicleStates: ReadonlyMap<string, number>;
  /** Location id for a zipcode and city; a zipcode with a single location needs no city. */
  location(zipcode: string, city: string | null): number | null;
}

/** Case, accents and spacing do not distinguish labels: "Citroën" = "citroen". */
export function normalizeLabel(label: string): string {
  return label
    .normalize('NFD')
    .replace(/\p{M}/gu, '')
    .toLowerCase()
    .replace(/[\s-]+/g, ' ')
    .trim();
}

type LabelRow = { id: number; name: string; lobstr_value: string };

function byLabel(rows: readonly LabelRow[], prefix: (row: LabelRow) => string = () => ''): Map<string, number> {
  const map = new Map<string, number>();
  // lobstr_value wins over name when both normalise to the same label.
  for (const row of rows) map.set(prefix(row) + normalizeLabel(row.name), row.id);
  for (const row of rows) map.set(prefix(row) + normalizeLabel(row.lobstr_value), row.id);
  return map;
}

export async function loadReferenceLookups(sql: Sql): Promise<ReferenceLookups> {
  const table = (name: string) => sql<LabelRow[]>`select id, name, lobstr_value from ${sql(name)}`;
  const [adTypes, subTypes, brands, fuels, gearBoxes, licences, seats, states, locations] = await Promise.all([
    table('ad_types'),
    sql<(LabelRow & { ad_type_id: number })[]>`select id, ad_type_id, name, lobstr_value from ad_sub_types`,
    table('brands'),
    table('fuels'),
    table('gear_boxes'),
    table('driving_licences'),
    table('vehicle_seats'),
    table('vehicle_states'),
    sql<{ id: number; zipcode: string; name: string }[]>`select id, zipcode, name from locations`,
  ]);

  const byZipAndCity = new Map<string, number>();
  const byZip = new Map<string, number[]>();
  for (const l of locations) {
    byZipAndCity.set(`${l.zipcode}|${normalizeLabel(l.name)}`, l.id);
    byZip.set(l.zipcode, [...(byZip.get(l.zipcode) ?? []), l.id]);
  }

  return {
    adTypes: byLabel(adTypes),
    subTypes: byLabel(subTypes, (row) => `${(row as LabelRow & { ad_type_id: number }).ad_type_id}|`),
    brands: byLabel(brands),
    fuels: byLabel(fuels),
    gearBoxes: byLabel(gearBoxes),
    drivingLicences: byLabel(licences),
    vehicleSeats: byLabel(seats),
    vehicleStates: byLabel(states),
    location(zipcode, city) {
      const exact = city ? byZipAndCity.get(`${zipcode}|${normalizeLabel(city)}`) : undefined;
      if (exact !== undefined) return exact;
      const candidates = byZip.get(zipcode);
      return candidates?.length === 1 ? candidates[0]! : null;
    },
  };
}
