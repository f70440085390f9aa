-- Why a hunt contacted fewer ads than it could, per reason (e.g. {"INSUFFICIENT_CREDITS": 3,
-- "TEMPLATE_UNKNOWN_PLACEHOLDER:sms": 1}), for the run's progress report.
alter table public.daily_run_hunts add column if not exists skipped jsonb not null default '{}'::jsonb;
alter table public.daily_runs add column if not exists duration_ms integer;

create index if not exists messages_by_hunt_day on public.messages (hunt_id, local_date, status);
create index if not exists messages_by_account_ad on public.messages (account_id, ad_id);
