/** The columns of `ads` that a scrape knows about; `favourite` and `is_whatsapp_phone` are the user's. */
export interface AdRow {
  original_ad_id: string;
  type_id: number;
  subtype_id: number | null;
  brand_id: number | null;
  fuel_id: number | null;
  gear_box_id: number | null;
  driving_licence_id: number | null;
  vehicle_seats_id: number | null;
  vehicle_state_id: number | null;
  location_id: number;
  url: string | null;
  title: string | null;
  description: string | null;
  price: number | null;
  picture: string | null;
  pictures: string[] | null;
  phone_number: string | null;
  has_phone: boolean;
  /** Can get SMS and WhatsApp (libphonenumber); null without a phone. */
  phone_is_mobile: boolean | null;
  owner_name: string | null;
  accept_salesmen: boolean;
  model: string | null;
  model_year: number | null;
  mileage: number | null;
  entry_year: number | null;
  initial_publication_date: string | null;
  last_publication_date: string | null;
  has_been_reposted: boolean;
  has_been_boosted: boolean;
  is_urgent: boolean;
  price_has_dropped: boolean;
  price_min: number | null;
  price_max: number | null;
  is_low_price: boolean;
}

export const AD_ROW_COLUMNS = [
  'original_ad_id',
  'type_id',
  'subtype_id',
  'brand_id',
  'fuel_id',
  'gear_box_id',
  'driving_licence_id',
  'vehicle_seats_id',
  'vehicle_state_id',
  'location_id',
  'url',
  'title',
  'description',
  'price',
  'picture',
  'pictures',
  'phone_number',
  'has_phone',
  'phone_is_mobile',
  'owner_name',
  'accept_salesmen',
  'model',
  'model_year',
  'mileage',
  'entry_year',
  'initial_publication_date',
  'last_publication_date',
  'has_been_reposted',
  'has_been_boosted',
  'is_urgent',
  'price_has_dropped',
  'price_min',
  'price_max',
  'is_low_price',
] as const satisfies readonly (keyof AdRow)[];
