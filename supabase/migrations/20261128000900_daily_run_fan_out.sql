-- A run is complete when its fan-out has registered every hunt (fanned_out_at) and every hunt is
-- accounted for. hunts_total grows with each registered page, in the same statement, so a hunt
-- that finishes before the fan-out does never breaks the totals' check.
alter table public.daily_runs add column if not exists fanned_out_at timestamptz;
update public.daily_runs set fanned_out_at = coalesce(finished_at, started_at)
where status = 'completed' and fanned_out_at is null;
