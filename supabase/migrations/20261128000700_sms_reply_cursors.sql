-- How far the worker has read each account's received SMS (SMSMobileAPI /getsms/), in unix
-- seconds, so opt-out replies are read once.
create table if not exists public.sms_reply_cursors (
  account_id uuid primary key references public.accounts (id) on delete cascade,
  last_received_unix bigint not null default 0,
  updated_at timestamptz not null default now()
);
alter table public.sms_reply_cursors enable row level security;
