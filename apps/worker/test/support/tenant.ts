// The end-to-end tenant: 3 accounts, 10 hunts, 500 ads, and an oracle that works out, from the
// fixture alone, which ads each hunt must contact and on which channel.
import type { Channel } from '@auto-prospect/core';
import type { WorkerContext } from '../../src/context.js';
import { linkWhatsApp, seedAccount, seedTemplate, type SeededAccount } from './seed.js';

const CITIES = {
  paris: { zip: '75015', lat: 48.8412, lng: 2.3003 },
  lyon: { zip: '69001', lat: 45.7676, lng: 4.8344 },
  marseille: { zip: '13001', lat: 43.2999, lng: 5.3841 },
};
type City = keyof typeof CITIES;
const CITY_ORDER: City[] = ['paris', 'lyon', 'marseille'];
const BRANDS = ['Renault', 'Peugeot', 'Toyota', 'BMW'];

export interface FixtureAd {
  i: number;
  type: 'Voiture' | 'Moto';
  brand: string;
  city: City;
  price: number;
  phone: string | null;
  mobile: boolean;
  onWhatsApp: boolean;
  acceptSalesmen: boolean;
  suppressed: boolean;
}

export function fixtureAds(count = 500): FixtureAd[] {
  return Array.from({ length: count }, (_, i) => {
    const landline = i % 11 === 0;
    const phone = i % 13 === 0 ? null : landline ? `+3314${String(1000000 + i)}` : `+3361${String(1000000 + i)}`;
    return {
      i,
      type: i % 10 === 9 ? 'Moto' : 'Voiture',
      brand: BRANDS[i % 4]!,
      city: CITY_ORDER[i % 3]!,
      price: 3000 + ((i * 97) % 20000),
      phone,
      mobile: phone !== null && !landline,
      onWhatsApp: phone !== null && !landline && i % 2 === 0,
      acceptSalesmen: i % 17 !== 0,
      suppressed: i % 50 === 1,
    };
  });
}

export interface HuntSpec {
  n: number;
  account: 'A' | 'B' | 'C';
  type: 'Voiture' | 'Moto';
  city: City | null;
  radius: number;
  brands?: string[];
  priceMax?: number;
  limit: number | null;
  channels: Channel[];
  paused?: boolean;
  brokenSmsTemplate?: boolean;
}

const HUNTS: HuntSpec[] = [
  {
    n: 1,
    account: 'A',
    type: 'Voiture',
    city: 'paris',
    radius: 50,
    limit: 10,
    channels: ['ringless_voice', 'whatsapp_text', 'sms'],
  },
  { n: 2, account: 'A', type: 'Voiture', city: 'lyon', radius: 50, brands: ['Renault'], limit: 5, channels: ['sms'] },
  { n: 3, account: 'A', type: 'Moto', city: null, radius: 0, limit: null, channels: ['whatsapp_text'] },
  {
    n: 4,
    account: 'B',
    type: 'Voiture',
    city: 'paris',
    radius: 50,
    priceMax: 10_000,
    limit: 8,
    channels: ['ringless_voice', 'sms'],
  },
  { n: 5, account: 'B', type: 'Voiture', city: 'marseille', radius: 50, limit: 3, channels: ['sms'] },
  { n: 6, account: 'B', type: 'Voiture', city: 'lyon', radius: 30, limit: 4, channels: ['ringless_voice'] },
  { n: 7, account: 'C', type: 'Voiture', city: 'marseille', radius: 50, limit: 6, channels: ['whatsapp_text'] },
  { n: 8, account: 'C', type: 'Voiture', city: 'paris', radius: 50, limit: 5, channels: ['whatsapp_text', 'sms'] },
  {
    n: 9,
    account: 'C',
    type: 'Voiture',
    city: 'lyon',
    radius: 50,
    limit: 5,
    channels: ['whatsapp_text'],
    paused: true,
  },
  {
    n: 10,
    account: 'A',
    type: 'Voiture',
    city: 'paris',
    radius: 50,
    limit: 5,
    channels: ['sms'],
    brokenSmsTemplate: true,
  },
];

/** Which channels each account can use, and with what credits (A has no voice credit). */
const ACCOUNT_SETUP = {
  A: { sms: true, whatsapp: true, voiceCredits: 0 },
  B: { sms: true, whatsapp: false, voiceCredits: 1000 },
  C: { sms: false, whatsapp: true, voiceCredits: 0 },
} as const;
const PRIORITY: Channel[] = ['ringless_voice', 'whatsapp_text', 'sms'];

export interface ExpectedContact {
  hunt: number;
  ad: number;
  /** Channels tried in order; the last one is where it ends. */
  channels: Channel[];
  sent: boolean;
}

/** The oracle: matching, newest first, the hunt's limit, the waterfall and hand-overs. */
export function expectedContacts(ads: FixtureAd[]): ExpectedContact[] {
  const distance = (a: City, b: City) => {
    const [p, q] = [CITIES[a], CITIES[b]];
    const rad = (d: number) => (d * Math.PI) / 180;
    const h =
      Math.sin(rad(q.lat - p.lat) / 2) ** 2 +
      Math.cos(rad(p.lat)) * Math.cos(rad(q.lat)) * Math.sin(rad(q.lng - p.lng) / 2) ** 2;
    return 2 * 6371 * Math.asin(Math.sqrt(h));
  };
  const expected: ExpectedContact[] = [];
  for (const hunt of HUNTS) {
    if (hunt.paused || hunt.brokenSmsTemplate) continue;
    const setup = ACCOUNT_SETUP[hunt.account];
    const usable = PRIORITY.filter(
      (c) =>
        hunt.channels.includes(c) &&
        (c === 'sms' ? setup.sms : c === 'whatsapp_text' ? setup.whatsapp : setup.voiceCredits > 0),
    );
    const matching = ads
      .filter(
        (ad) =>
          ad.type === hunt.type &&
          ad.phone &&
          ad.acceptSalesmen &&
          !ad.suppressed &&
          (!hunt.city || distance(ad.city, hunt.city) <= hunt.radius) &&
          (!hunt.brands || hunt.brands.includes(ad.brand)) &&
          (hunt.priceMax === undefined || ad.price <= hunt.priceMax),
      )
      .sort((a, b) => b.i - a.i);
    let count = 0;
    for (const ad of matching) {
      if (hunt.limit !== null && count >= hunt.limit) break;
      const reachable = usable.filter((c) => c === 'ringless_voice' || ad.mobile);
      if (reachable.length === 0) continue;
      count++;
      const tried: Channel[] = [reachable[0]!];
      // Not on WhatsApp: handed over to the next channel that can reach the number.
      if (reachable[0] === 'whatsapp_text' && !ad.onWhatsApp && reachable[1]) tried.push(reachable[1]);
      const last = tried.at(-1)!;
      expected.push({ hunt: hunt.n, ad: ad.i, channels: tried, sent: last !== 'whatsapp_text' || ad.onWhatsApp });
    }
  }
  return expected;
}

export interface SeededTenant {
  accounts: Record<'A' | 'B' | 'C', SeededAccount>;
  huntIds: Map<number, string>;
  adIds: Map<string, number>;
}

export async function seedTenant(context: WorkerContext, ads: FixtureAd[]): Promise<SeededTenant> {
  const { sql } = context;
  const accounts = {
    A: await seedAccount(context, { smsCredits: 1000, voiceCredits: 0 }),
    B: await seedAccount(context, { smsCredits: 1000, voiceCredits: 1000 }),
    C: await seedAccount(context, { smsKey: null, smsCredits: 0, voiceCredits: 0 }),
  };
  await linkWhatsApp(context, accounts.A);
  await linkWhatsApp(context, accounts.C);

  const adIds = new Map<string, number>();
  for (const ad of ads) {
    const [row] = await sql<{ id: string }[]>`
      insert into ads (original_ad_id, type_id, brand_id, location_id, price, phone_number, has_phone, accept_salesmen,
                       title, last_publication_date, created_at)
      values (${`e2e-${ad.i}`}, (select id from ad_types where lobstr_value = ${ad.type}),
              (select id from brands where lobstr_value = ${ad.brand}),
              (select id from locations where zipcode = ${CITIES[ad.city].zip} limit 1),
              ${ad.price}, ${ad.phone}, ${ad.phone !== null}, ${ad.acceptSalesmen}, ${`Annonce ${ad.i}`},
              '2026-11-01'::date + ${Math.floor(ad.i / 20)}::int, now() + ${ad.i} * interval '1 second')
      returning id`;
    adIds.set(row!.id, ad.i);
    if (ad.suppressed && ad.phone) {
      await sql`
        insert into suppressed_phone_numbers (phone_number, reason) values (${ad.phone}, 'STOP')
        on conflict do nothing`;
    }
  }

  const huntIds = new Map<number, string>();
  for (const spec of HUNTS) {
    const account = accounts[spec.account];
    const templateIds: Record<string, string> = {};
    for (const channel of spec.channels) {
      const key = channel === 'sms' ? 'sms' : channel === 'whatsapp_text' ? 'whatsapp' : 'ringlessVoice';
      templateIds[key] = await seedTemplate(
        sql,
        account.id,
        channel,
        channel === 'ringless_voice' ? 'audio-e2e' : null,
      );
      if (spec.brokenSmsTemplate && channel === 'sms') {
        await sql`update message_templates set content = 'Bonjour {prenom}' where id = ${templateIds[key]}`;
      } else if (channel !== 'ringless_voice') {
        await sql`
          update message_templates set content = 'Bonjour {vendeur_nom}, votre {titre_annonce} à {prix}'
          where id = ${templateIds[key]}`;
      }
    }
    const settings = {
      sms: spec.channels.includes('sms'),
      whatsapp: spec.channels.includes('whatsapp_text'),
      ringlessVoice: spec.channels.includes('ringless_voice'),
    };
    const location = spec.city
      ? sql`(select id from locations where zipcode = ${CITIES[spec.city].zip} limit 1)`
      : null;
    const [row] = await sql<{ id: string }[]>`
      insert into hunts (account_id, status, name, type_id, location_id, radius_in_km, daily_pacing_limit,
                         outreach_settings, template_ids, price_max)
      values (${account.id}, ${spec.paused ? 'paused' : 'active'}, ${`Hunt ${spec.n}`},
              (select id from ad_types where lobstr_value = ${spec.type}), ${location}, ${spec.radius}, ${spec.limit},
              ${sql.json(settings)}, ${sql.json(templateIds)}, ${spec.priceMax ?? null})
      returning id`;
    huntIds.set(spec.n, row!.id);
    if (spec.brands) {
      await sql`
        insert into brands_hunts (hunt_id, brand_id)
        select ${row!.id}, id from brands where lobstr_value = any(${sql.array(spec.brands)})`;
    }
  }
  return { accounts, huntIds, adIds };
}
