// A small, realistic demo tenant: three dealers set up on all three channels, their hunts and
// templates, and a few hundred ads. Fixed ids and ON CONFLICT make seeding idempotent.
import { encryptSecret } from '@auto-prospect/core';
import type { Sql } from '@auto-prospect/core/clients';

const DEMO_ACCOUNT_IDS = [
  'd0000000-0000-4000-8000-000000000001',
  'd0000000-0000-4000-8000-000000000002',
  'd0000000-0000-4000-8000-000000000003',
] as const;

const ACCOUNTS = [
  {
    id: DEMO_ACCOUNT_IDS[0],
    email: 'contact@garage-dupont.fr',
    name: 'Garage Dupont',
    fixed: '+33145678901',
    whatsapp: '33611111111',
    sms: 200,
    voice: 100,
  },
  {
    id: DEMO_ACCOUNT_IDS[1],
    email: 'ventes@auto-sud.fr',
    name: 'Auto Sud',
    fixed: '+33491234567',
    whatsapp: '33622222222',
    sms: 40,
    voice: 0,
  },
  {
    id: DEMO_ACCOUNT_IDS[2],
    email: 'hello@moto-lyon.fr',
    name: 'Moto Lyon',
    fixed: '+33472000000',
    whatsapp: '33633333333',
    sms: 0,
    voice: 10,
  },
];

const BRANDS = ['Renault', 'Peugeot', 'Citroen', 'Dacia', 'Volkswagen', 'Toyota', 'BMW', 'Audi'];
const MODELS: Record<string, string[]> = {
  Renault: ['Clio', 'Megane', 'Captur'],
  Peugeot: ['208', '308', '3008'],
  Citroen: ['C3', 'C4'],
  Dacia: ['Sandero', 'Duster'],
  Volkswagen: ['Golf', 'Polo'],
  Toyota: ['Yaris', 'C-HR'],
  BMW: ['Serie 1', 'X1'],
  Audi: ['A3', 'Q3'],
};
const ZIPCODES = ['75015', '92100', '78000', '94000', '13001', '13880', '69001', '38000'];

/** Demo ads: mostly mobiles; some without phone, some landlines, some refusing salesmen. */
function demoAds(count: number) {
  return Array.from({ length: count }, (_, i) => {
    const brand = BRANDS[i % BRANDS.length]!;
    const models = MODELS[brand]!;
    const phone =
      i % 10 === 9
        ? null
        : i % 15 === 7
          ? `+3314${String(1000000 + i).slice(-7)}`
          : `+336${String(10000000 + i * 7919).slice(-8)}`;
    const daysAgo = i % 20;
    return {
      original_ad_id: `demo-${3000000000 + i}`,
      brand,
      zipcode: ZIPCODES[i % ZIPCODES.length]!,
      title: `${brand} ${models[i % models.length]!} ${2012 + (i % 12)}`,
      model: models[i % models.length]!,
      price: 4000 + ((i * 1373) % 26000),
      mileage: 15000 + ((i * 7717) % 180000),
      model_year: 2012 + (i % 12),
      phone_number: phone,
      has_phone: phone !== null,
      owner_name: `Vendeur ${i}`,
      accept_salesmen: i % 12 !== 5,
      last_publication_date: new Date(Date.UTC(2026, 10, 28 - daysAgo)).toISOString().slice(0, 10),
      is_urgent: i % 9 === 0,
    };
  });
}

/** The text of the demo's SMS and WhatsApp templates. */
const FIRST_CONTACT =
  'Bonjour {vendeur_nom}, votre {marque} {modele} de {annee} à {prix} à {ville} nous intéresse. {{titre_annonce}}';

/** Demo hunts: `n` is the last digit of the hunt id, `account` an index in ACCOUNTS; hunt 6 is paused. */
const HUNTS = [
  {
    n: 1,
    account: 0,
    name: 'Citadines Paris',
    zipcode: '75015',
    radius: 40,
    limit: 15,
    settings: { sms: true, whatsapp: true, ringlessVoice: true },
    priceMax: 15000,
  },
  {
    n: 2,
    account: 0,
    name: 'SUV Île-de-France',
    zipcode: '75015',
    radius: 60,
    limit: 10,
    settings: { sms: true, whatsapp: false, ringlessVoice: true },
    priceMax: null,
  },
  {
    n: 3,
    account: 1,
    name: 'Toutes marques Marseille',
    zipcode: '13001',
    radius: 50,
    limit: 20,
    settings: { sms: true, whatsapp: true, ringlessVoice: true },
    priceMax: null,
  },
  {
    n: 4,
    account: 1,
    name: 'Petits prix Provence',
    zipcode: '13880',
    radius: 30,
    limit: null,
    settings: { sms: true, whatsapp: false, ringlessVoice: false },
    priceMax: 9000,
  },
  {
    n: 5,
    account: 2,
    name: 'Lyon et Isère',
    zipcode: '69001',
    radius: 120,
    limit: 12,
    settings: { sms: false, whatsapp: true, ringlessVoice: true },
    priceMax: null,
  },
  {
    n: 6,
    account: 2,
    name: 'En pause',
    zipcode: '69001',
    radius: 100,
    limit: 5,
    settings: { sms: false, whatsapp: true, ringlessVoice: false },
    priceMax: null,
  },
];

/** The transaction `sql.begin` hands its callback. */
type Transaction = Parameters<Parameters<Sql['begin']>[1]>[0];

export async function seedDemoTenant(sql: Sql, smsKeyEncryptionKey: string, adCount = 300): Promise<void> {
  await sql.begin(async (tx) => {
    for (const a of ACCOUNTS) await seedAccount(tx, a, smsKeyEncryptionKey);
    await seedAds(tx, adCount);
    for (const h of HUNTS) await seedHunt(tx, h);
  });
}

/** A dealer with its credits, a connected WhatsApp session and one template per channel. */
async function seedAccount(tx: Transaction, a: (typeof ACCOUNTS)[number], smsKeyEncryptionKey: string): Promise<void> {
  await tx`
    insert into accounts (id, email, name, fixed_phone_number, whatsapp_phone_number, sms_api_key)
    values (${a.id}, ${a.email}, ${a.name}, ${a.fixed}, ${a.whatsapp},
            ${encryptSecret(`demo-sms-key-${a.name}`, smsKeyEncryptionKey)})
    on conflict (id) do nothing`;
  await tx`
    insert into credit_balances (account_id, sms, ringless_voice) values (${a.id}, ${a.sms}, ${a.voice})
    on conflict (account_id) do nothing`;
  await tx`
    insert into whatsapp_sessions (account_id, is_connected, last_connected_at) values (${a.id}, true, now())
    on conflict (account_id) do nothing`;
  for (const channel of ['sms', 'whatsapp_text', 'ringless_voice'] as const) {
    await tx`
      insert into message_templates (id, account_id, name, channel, content, voice_partner_token_audio)
      values (${templateId(a.id, channel)}, ${a.id}, ${`Premier contact (${channel})`}, ${channel},
        ${channel === 'ringless_voice' ? null : FIRST_CONTACT},
        ${channel === 'ringless_voice' ? 'demo-audio-token' : null})
      on conflict (id) do nothing`;
  }
}

/** `adCount` demo ads, as Lobstr would have saved them. */
async function seedAds(tx: Transaction, adCount: number): Promise<void> {
  const ads = demoAds(adCount);
  await tx`
    insert into ads (original_ad_id, type_id, brand_id, location_id, url, title, model, price, mileage, model_year,
                     phone_number, has_phone, owner_name, accept_salesmen, last_publication_date,
                     initial_publication_date, is_urgent)
    select a.original_ad_id, t.id, b.id, l.id, 'https://www.leboncoin.fr/ad/voitures/' || a.original_ad_id,
           a.title, a.model, a.price, a.mileage, a.model_year, a.phone_number, a.has_phone, a.owner_name,
           a.accept_salesmen, a.last_publication_date::date, a.last_publication_date::date, a.is_urgent
    from jsonb_to_recordset(${tx.json(ads)}) as a (
      original_ad_id text, brand text, zipcode text, title text, model text, price int, mileage int,
      model_year smallint, phone_number text, has_phone boolean, owner_name text, accept_salesmen boolean,
      last_publication_date text, is_urgent boolean)
    join ad_types t on t.lobstr_value = 'Voiture'
    join brands b on b.lobstr_value = a.brand
    join lateral (select id from locations where zipcode = a.zipcode limit 1) l on true
    on conflict (original_ad_id) do nothing`;
}

/** A hunt of a demo dealer, aimed at its three templates. */
async function seedHunt(tx: Transaction, h: (typeof HUNTS)[number]): Promise<void> {
  const accountId = ACCOUNTS[h.account]!.id;
  const templateIds = {
    sms: templateId(accountId, 'sms'),
    whatsapp: templateId(accountId, 'whatsapp_text'),
    ringlessVoice: templateId(accountId, 'ringless_voice'),
  };
  await tx`
    insert into hunts (id, account_id, status, name, type_id, location_id, radius_in_km, daily_pacing_limit,
                       outreach_settings, template_ids, price_max)
    select ${`d1000000-0000-4000-8000-00000000000${h.n}`}, ${accountId},
           ${h.n === 6 ? 'paused' : 'active'}, ${h.name},
           (select id from ad_types where lobstr_value = 'Voiture'),
           (select id from locations where zipcode = ${h.zipcode} limit 1), ${h.radius}, ${h.limit},
           ${tx.json(h.settings)}, ${tx.json(templateIds)}, ${h.priceMax}
    on conflict (id) do nothing`;
}

/** Fixed template ids: e<account digit>… with the channel as the last digit. */
function templateId(accountId: string, channel: string): string {
  const suffix = { sms: '1', whatsapp_text: '2', ringless_voice: '3' }[channel]!;
  return `e${accountId.slice(-1)}000000-0000-4000-8000-00000000000${suffix}`;
}
