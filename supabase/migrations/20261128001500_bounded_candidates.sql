-- Candidate selection bounded by what a day needs, not by the size of the ads pool: a hunt walks
-- its matching ads newest first and stops once it has enough (hunts/select-candidates.ts).

-- The walk's order exactly (the old index put null dates first and skipped created_at, so no
-- query could use it for that order).
drop index if exists public.ads_type_newest;
create index if not exists ads_newest_by_type
  on public.ads (type_id, last_publication_date desc nulls last, created_at desc, id);

-- A hunt narrow by place or by brand reads its few ads directly instead of walking its whole
-- type: the planner picks these when the hunt's locations or brands hold few ads.
create index if not exists ads_by_location on public.ads (location_id);
create index if not exists ads_by_brand on public.ads (brand_id);

-- A radius is resolved to the locations within it: a band of latitudes, then the exact distance.
create index if not exists locations_by_lat on public.locations (lat);
