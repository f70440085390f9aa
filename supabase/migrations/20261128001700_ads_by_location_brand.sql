-- A hunt narrow by place and brands reads every location × brand pair of its filters directly:
-- one index on both replaces the index on location alone (20261128001500), which left the brand
-- to a filter over every ad of the hunt's places. Written as a migration of its own, since
-- databases that already applied 20261128001500 never run it again.
drop index if exists public.ads_by_location;
create index if not exists ads_by_location_brand on public.ads (location_id, brand_id);
