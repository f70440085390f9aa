// Realistic Lobstr Leboncoin results with the quirks of providers.md §3.3, and what ingesting
// them must produce (the oracle the tests compare against).

export interface GeneratedLobstrResults {
  results: Record<string, unknown>[];
  /** annonce_id → the values the last occurrence carries. */
  valid: Map<string, { phone: string | null; zipcode: string; price: number; brandKnown: boolean }>;
  rejected: { unknown_location: number; unknown_ad_type: number };
  duplicates: number;
}

const CITIES: [string, string][] = [
  ['01000', 'Bourg-en-Bresse'],
  ['02100', 'Saint-Quentin'],
  ['03100', 'Montluçon'],
  ['04000', 'Digne-les-Bains'],
  ['05000', 'Gap'],
  ['06000', 'Nice'],
  ['07000', 'Privas'],
  ['08000', 'Charleville-Mézières'],
  ['09000', 'Foix'],
  ['75015', 'Paris'],
  ['13880', 'Velaux'],
  ['69001', 'Lyon'],
  ['33000', 'Bordeaux'],
];
const BRANDS = ['Renault', 'Peugeot', 'Citroën', 'Dacia', 'Volkswagen', 'Toyota'];

function phoneFor(i: number): { raw: string | undefined; e164: string | null } {
  if (i % 20 === 3) return { raw: undefined, e164: null };
  if (i % 20 === 4) return { raw: '', e164: null };
  const national = `${i % 2 === 0 ? '0612' : '0756'}${String((i * 7919) % 1000000).padStart(6, '0')}`;
  const e164 = `+33${national.slice(1)}`;
  const formats = [national, national.replace(/(\d{2})(?=\d)/g, '$1 '), e164];
  return { raw: formats[i % 3], e164 };
}

/** One generated result and the values the oracle needs to judge it. */
interface GeneratedResult {
  result: Record<string, unknown>;
  annonceId: string;
  zipcode: string;
  brand: string;
  phone: string | null;
  price: number;
}

/** The `details` block: every export carries it, as an object or as JSON text. */
function vehicleDetails(n: number, brand: string): Record<string, string> {
  return {
    Marque: brand,
    'Année modèle': String(2010 + (n % 14)),
    Kilométrage: `${(n * 997) % 200000} km`,
    Carburant: 'Diesel',
    'Boîte de vitesse': 'Manuelle',
    'Type de véhicule': 'Berline',
  };
}

/** The i-th result, its quirks chosen from i so the same count always yields the same results. */
function generateResult(i: number, prefix: string): GeneratedResult {
  // Every 50th result repeats the previous ad with a new price (the last one wins).
  const isDuplicate = i % 50 === 49;
  const n = isDuplicate ? i - 1 : i;
  const annonceId = `${prefix}${String(n).padStart(8, '0')}`;
  const [zipcode, city] = i % 40 === 7 ? ['99999', 'Nulle-Part'] : CITIES[n % CITIES.length]!;
  const brand = i % 25 === 5 ? 'Lada' : BRANDS[n % BRANDS.length]!;
  const phone = phoneFor(n);
  const price = 3000 + ((i * 1373) % 30000);
  const vehicle = vehicleDetails(n, brand);
  const result: Record<string, unknown> = {
    id: i % 2 === 0 ? 53557759 + i : `a${i.toString(16).padStart(31, '0')}`,
    annonce_id: annonceId,
    url: `https://www.leboncoin.fr/ad/voitures/${annonceId}`,
    title: `Annonce ${n}`,
    description: `Véhicule en bon état ${n}`,
    category_name: i % 45 === 8 ? undefined : 'Voitures',
    price,
    has_phone: phone.raw !== undefined && phone.raw !== '',
    phone: phone.raw,
    owner_name: `Vendeur ${n}`,
    no_salesmen: n % 12 === 5,
    city,
    postal_code: zipcode,
    picture: `https://img.leboncoin.fr/${annonceId}/0.jpg`,
    pictures: `https://img.leboncoin.fr/${annonceId}/0.jpg, https://img.leboncoin.fr/${annonceId}/1.jpg`,
    first_publication_date: '2026-11-20T09:15:00+01:00',
    last_publication_date: n % 7 === 0 ? '2026-11-27T23:30:00+01:00' : '2026-11-20T09:15:00+01:00',
    urgent: n % 9 === 0,
    is_boosted: n % 11 === 0,
    // 2026 exports carry top-level vehicle fields; older ones only `details`, as object or JSON text.
    ...(n % 3 === 0 ? { brand, model: 'Clio', mileage: vehicle.Kilométrage, regdate: vehicle['Année modèle'] } : {}),
    details: n % 2 === 0 ? vehicle : JSON.stringify(vehicle),
    more_details: JSON.stringify({
      old_price: price + (n % 4 === 0 ? 500 : 0),
      car_price_min: 5000,
      car_price_max: 20000,
    }),
  };
  return { result, annonceId, zipcode, brand, phone: phone.e164, price };
}

export function generateLobstrResults(count: number, options: { idPrefix?: string } = {}): GeneratedLobstrResults {
  const prefix = options.idPrefix ?? '30';
  const results: Record<string, unknown>[] = [];
  const valid: GeneratedLobstrResults['valid'] = new Map();
  const rejected = { unknown_location: 0, unknown_ad_type: 0 };
  let duplicates = 0;

  for (let i = 0; i < count; i++) {
    const { result, annonceId, zipcode, brand, phone, price } = generateResult(i, prefix);
    results.push(result);

    if (result.category_name === undefined) rejected.unknown_ad_type++;
    else if (zipcode === '99999') rejected.unknown_location++;
    else {
      if (valid.has(annonceId)) duplicates++;
      // Delete first so the map's order is that of the last occurrence, as ingestion keeps it.
      valid.delete(annonceId);
      valid.set(annonceId, { phone, zipcode, price, brandKnown: brand !== 'Lada' });
    }
  }
  return { results, valid, rejected, duplicates };
}
