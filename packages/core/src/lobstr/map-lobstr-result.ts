// One Lobstr Leboncoin result → one `ads` row (domain.md, "Lobstr result → ads row"). Pure.
import type { AdRow } from '../ads/ad-row.js';
import { classifyPhone } from '../phone/phone-number.js';
import { normalizeLabel, type ReferenceLookups } from './reference-lookups.js';
import { localDateOf } from '../schedule/sending-window.js';

export type RejectionReason = 'missing_annonce_id' | 'unknown_ad_type' | 'unknown_location';

export type MappedResult = { ok: true; ad: AdRow } | { ok: false; reason: RejectionReason };

type Raw = Record<string, unknown>;

/** Trimmed text; NUL characters, which Postgres refuses in text (failing the whole page), are dropped. */
function text(value: unknown): string | null {
  if (typeof value === 'string') return value.replaceAll('\u0000', '').trim() || null;
  if (typeof value === 'number' && Number.isFinite(value)) return String(value);
  return null;
}

/** Digits only: "125 000 km" → 125000. */
function digits(value: unknown): number | null {
  const raw = text(value)?.split(/[.,]/)[0]?.replace(/\D/g, '');
  if (!raw) return null;
  const n = Number(raw);
  return Number.isSafeInteger(n) && n <= 2_147_483_647 ? n : null;
}

function year(value: unknown): number | null {
  const match = /(19|20)\d{2}/.exec(text(value) ?? '');
  return match ? Number(match[0]) : null;
}

function flag(value: unknown): boolean {
  if (typeof value === 'boolean') return value;
  return ['true', '1', 'yes', 'oui'].includes(text(value)?.toLowerCase() ?? '');
}

/** `details`/`more_details` arrive as objects or as JSON text. */
function jsonObject(value: unknown): Raw {
  if (value && typeof value === 'object' && !Array.isArray(value)) return value as Raw;
  if (typeof value === 'string') {
    try {
      const parsed: unknown = JSON.parse(value);
      if (parsed && typeof parsed === 'object' && !Array.isArray(parsed)) return parsed as Raw;
    } catch {
      return {};
    }
  }
  return {};
}

/** The calendar date in Europe/Paris of an ISO timestamp. */
function parisCalendarDate(value: unknown): string | null {
  const time = Date.parse(text(value) ?? '');
  return Number.isNaN(time) ? null : localDateOf(time, 'Europe/Paris');
}

function lookup(map: ReadonlyMap<string, number>, value: unknown): number | null {
  const label = text(value);
  return label ? (map.get(normalizeLabel(label)) ?? null) : null;
}

function zipcode(value: unknown): string | null {
  const raw = text(value)?.replace(/\s/g, '');
  return raw && /^\d{4,5}$/.test(raw) ? raw.padStart(5, '0') : null;
}

export function mapLobstrResult(raw: Raw, refs: ReferenceLookups): MappedResult {
  const originalAdId = text(raw.annonce_id);
  if (!originalAdId) return { ok: false, reason: 'missing_annonce_id' };

  const typeId = lookup(refs.adTypes, raw.category_name);
  if (typeId === null) return { ok: false, reason: 'unknown_ad_type' };

  const zip = zipcode(raw.postal_code);
  const locationId = zip === null ? null : refs.location(zip, text(raw.city));
  if (locationId === null) return { ok: false, reason: 'unknown_location' };

  const details = jsonObject(raw.details);
  const more = jsonObject(raw.more_details);
  return {
    ok: true,
    ad: {
      original_ad_id: originalAdId,
      type_id: typeId,
      location_id: locationId,
      ...vehicleColumns(raw, details, more, refs, typeId),
      ...listingColumns(raw),
      ...priceColumns(raw, more),
    },
  };
}

/** What the vehicle is: top-level fields (added by Lobstr in 2026), else older exports' details and more_details. */
function vehicleColumns(raw: Raw, details: Raw, more: Raw, refs: ReferenceLookups, typeId: number) {
  const subtypeLabel = text(details['Type de véhicule']);
  return {
    subtype_id: subtypeLabel ? (refs.subTypes.get(`${typeId}|${normalizeLabel(subtypeLabel)}`) ?? null) : null,
    brand_id: lookup(refs.brands, raw.brand ?? details.Marque),
    fuel_id: lookup(refs.fuels, raw.fuel ?? details.Carburant ?? more.fuel),
    gear_box_id: lookup(refs.gearBoxes, raw.gearbox ?? details['Boîte de vitesse']),
    driving_licence_id: lookup(refs.drivingLicences, raw.cycle_licence ?? details.Permis),
    vehicle_seats_id: lookup(refs.vehicleSeats, raw.seats ?? details['Nombre de place(s)']),
    vehicle_state_id: lookup(refs.vehicleStates, raw.condition ?? details['État du véhicule']),
    model: text(raw.model ?? details['Modèle'] ?? more.model),
    model_year: year(raw.regdate ?? details['Année modèle']),
    mileage: digits(raw.mileage ?? details['Kilométrage']),
    entry_year: year(raw.issuance_date ?? details['Date de première mise en circulation']),
  } satisfies Partial<AdRow>;
}

/** The listing itself: its text and pictures, the seller, and its publication history. */
function listingColumns(raw: Raw) {
  const phone = classifyPhone(raw.phone);
  const first = Date.parse(text(raw.first_publication_date) ?? '');
  const last = Date.parse(text(raw.last_publication_date) ?? '');
  return {
    url: text(raw.url),
    title: text(raw.title),
    description: text(raw.description),
    picture: text(raw.picture),
    pictures:
      text(raw.pictures)
        ?.split(',')
        .map((p) => p.trim())
        .filter(Boolean) ?? null,
    phone_number: phone?.e164 ?? null,
    has_phone: phone !== null,
    phone_is_mobile: phone?.mobile ?? null,
    owner_name: text(raw.owner_name),
    accept_salesmen: !flag(raw.no_salesmen),
    initial_publication_date: parisCalendarDate(raw.first_publication_date),
    last_publication_date: parisCalendarDate(raw.last_publication_date),
    has_been_reposted: !Number.isNaN(first) && !Number.isNaN(last) && first !== last,
    has_been_boosted: flag(raw.is_boosted ?? raw.booster),
    is_urgent: flag(raw.urgent),
  } satisfies Partial<AdRow>;
}

/** The price, against the previous one and the car's price range (low: in the lower third of it). */
function priceColumns(raw: Raw, more: Raw) {
  const price = digits(raw.price);
  const oldPrice = digits(more.old_price);
  const priceMin = digits(more.car_price_min);
  const priceMax = digits(more.car_price_max);
  return {
    price,
    price_has_dropped: price !== null && oldPrice !== null && price < oldPrice,
    price_min: priceMin,
    price_max: priceMax,
    is_low_price:
      price !== null && priceMin !== null && priceMax !== null && price < priceMin + (priceMax - priceMin) / 3,
  } satisfies Partial<AdRow>;
}
