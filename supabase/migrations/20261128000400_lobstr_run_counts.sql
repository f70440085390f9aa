-- Results of a Lobstr run that repeated an ad already seen in the same batch (kept once: the
-- last one wins) and those whose ad was already saved with the same values.
alter table public.lobstr_runs
  add column if not exists ads_duplicates integer not null default 0,
  add column if not exists ads_unchanged integer not null default 0,
  add column if not exists attempts integer not null default 0;
