import { describe, expect, it } from 'vitest';
import { mapLobstrResult } from './map-lobstr-result.js';
import { normalizeLabel, type ReferenceLookups } from './reference-lookups.js';

const labels = (entries: [string, number][]) => new Map(entries.map(([label, id]) => [normalizeLabel(label), id]));
const refs: ReferenceLookups = {
  adTypes: labels([
    ['Voitures', 1],
    ['Voiture', 1],
  ]),
  subTypes: new Map([[`1|${normalizeLabel('Berline')}`, 11]]),
  brands: labels([
    ['Citroen', 21],
    ['Citroën', 21],
  ]),
  fuels: labels([['Diesel', 31]]),
  gearBoxes: labels([['Manuelle', 41]]),
  drivingLicences: labels([]),
  vehicleSeats: labels([['5', 55]]),
  vehicleStates: labels([['Non endommagé', 61]]),
  location: (zipcode, city) => (zipcode === '01000' && city === 'Bourg-en-Bresse' ? 7 : zipcode === '13880' ? 8 : null),
};

const base = {
  annonce_id: '3066299454',
  id: 53557759,
  url: 'https://www.leboncoin.fr/ad/voitures/3066299454',
  title: 'Citroën C3 1.2 PureTech',
  category_name: 'Voitures',
  price: 9500,
  phone: '06 12 34 56 78',
  owner_name: 'Jean',
  city: 'Bourg-en-Bresse',
  postal_code: '01000',
  pictures: 'https://a/1.jpg, https://a/2.jpg',
  first_publication_date: '2026-11-20T09:15:00+01:00',
  last_publication_date: '2026-11-27T23:30:00+00:00',
  urgent: true,
  no_salesmen: false,
};

function mapped(raw: Record<string, unknown>) {
  const result = mapLobstrResult(raw, refs);
  if (!result.ok) throw new Error(`rejected: ${result.reason}`);
  return result.ad;
}

describe('mapLobstrResult', () => {
  it('maps an older export whose vehicle fields are in details (object) and more_details (JSON text)', () => {
    const ad = mapped({
      ...base,
      details: {
        Marque: 'Citroën',
        'Année modèle': '2019',
        Kilométrage: '125 000 km',
        Carburant: 'Diesel',
        'Boîte de vitesse': 'Manuelle',
        'Nombre de place(s)': '5',
        'État du véhicule': 'Non endommagé',
        'Type de véhicule': 'Berline',
        'Date de première mise en circulation': '03/2019',
      },
      more_details: JSON.stringify({ model: 'C3', old_price: '10 000', car_price_min: 9000, car_price_max: 15000 }),
    });
    expect(ad).toMatchObject({
      original_ad_id: '3066299454',
      type_id: 1,
      subtype_id: 11,
      brand_id: 21,
      fuel_id: 31,
      gear_box_id: 41,
      vehicle_seats_id: 55,
      vehicle_state_id: 61,
      location_id: 7,
      model: 'C3',
      model_year: 2019,
      entry_year: 2019,
      mileage: 125000,
      price: 9500,
      phone_number: '+33612345678',
      has_phone: true,
      phone_is_mobile: true,
      accept_salesmen: true,
      pictures: ['https://a/1.jpg', 'https://a/2.jpg'],
      initial_publication_date: '2026-11-20',
      // 23:30 UTC on the 27th is already the 28th in Paris.
      last_publication_date: '2026-11-28',
      has_been_reposted: true,
      is_urgent: true,
      price_has_dropped: true,
      price_min: 9000,
      price_max: 15000,
      is_low_price: true,
    });
  });

  it('maps a 2026 export with top-level vehicle fields and details as JSON text', () => {
    const ad = mapped({
      ...base,
      brand: 'CITROEN',
      model: 'C3',
      mileage: '80000',
      regdate: '2021',
      fuel: 'Diesel',
      details: '{"Marque":"Peugeot"}',
    });
    expect(ad).toMatchObject({ brand_id: 21, model: 'C3', mileage: 80000, model_year: 2021, fuel_id: 31 });
  });

  it('keeps an ad whose brand or phone is unknown, without inventing ids', () => {
    const ad = mapped({ ...base, brand: 'Lada', phone: undefined, details: 'not json' });
    expect(ad).toMatchObject({
      brand_id: null,
      phone_number: null,
      has_phone: false,
      phone_is_mobile: null,
      subtype_id: null,
    });
    expect(mapped({ ...base, phone: '01 42 68 53 00' })).toMatchObject({
      phone_number: '+33142685300',
      phone_is_mobile: false,
    });
    expect(mapped({ ...base, phone: '12' })).toMatchObject({ phone_number: null, has_phone: false });
  });

  it('pads zip codes of departments 01–09 and accepts a zipcode with a single location without city', () => {
    expect(mapped({ ...base, postal_code: 1000 }).location_id).toBe(7);
    expect(mapped({ ...base, postal_code: '13880', city: 'VELAUX' }).location_id).toBe(8);
  });

  it('rejects, with a reason, what cannot be classified or placed', () => {
    expect(mapLobstrResult({ ...base, annonce_id: undefined }, refs)).toEqual({
      ok: false,
      reason: 'missing_annonce_id',
    });
    expect(mapLobstrResult({ ...base, category_name: undefined }, refs)).toEqual({
      ok: false,
      reason: 'unknown_ad_type',
    });
    expect(mapLobstrResult({ ...base, category_name: 'Immobilier' }, refs)).toEqual({
      ok: false,
      reason: 'unknown_ad_type',
    });
    expect(mapLobstrResult({ ...base, postal_code: '99999' }, refs)).toEqual({ ok: false, reason: 'unknown_location' });
  });

  it('reads no_salesmen and boost flags given as strings', () => {
    expect(mapped({ ...base, no_salesmen: 'true', is_boosted: '1' })).toMatchObject({
      accept_salesmen: false,
      has_been_boosted: true,
    });
  });

  it('drops the NUL characters Postgres would refuse, keeping the rest of the text', () => {
    expect(mapped({ ...base, title: 'Clio\u0000 IV', description: '\u0000', owner_name: 'Jean\u0000' })).toMatchObject({
      title: 'Clio IV',
      description: null,
      owner_name: 'Jean',
    });
  });
});
