-- Candidate selection bounded by what a day needs, not by the size of the ads pool: a hunt walks
-- its matching ads newest first and stops once it has enough (hunts/select-candidates.ts).

-- The walk's order exactly (the old index put null dates first and skipped created_at, so no
-- query could use it for that order).
drop index if exists public.ads_type_newest;
create index if not exists ads_newest_by_type
  on public.ads (type_id, last_publication_date desc nulls last, created_at desc, id);

-- A hunt of one brand walks that brand's ads newest first; a hunt narrow by place (or by several
-- brands) reads its few ads directly instead of walking its whole type. The planner picks one by
-- the hunt's filters, given as constants.
create index if not exists ads_newest_by_brand
  on public.ads (brand_id, last_publication_date desc nulls last, created_at desc, id);
create index if not exists ads_by_location on public.ads (location_id);

-- A radius is resolved to the locations within it: a band of latitudes, then the exact distance.
create index if not exists locations_by_lat on public.locations (lat);
