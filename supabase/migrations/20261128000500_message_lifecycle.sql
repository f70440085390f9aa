-- Message lifecycle support.
-- local_date: the OUTREACH_TIMEZONE day whose quotas (hunt limit, WhatsApp cap) the message uses.
alter table public.messages add column if not exists local_date date;

-- Messages a sending account may still send per channel and local day (WhatsApp anti-ban cap).
-- A slot is reserved when the message is created and released if it fails without being sent.
create table if not exists public.account_daily_sends (
  account_id uuid not null references public.accounts (id) on delete cascade,
  channel public.channel not null,
  local_date date not null,
  reserved integer not null default 0,
  daily_cap integer not null check (daily_cap >= 0),
  primary key (account_id, channel, local_date),
  check (reserved between 0 and daily_cap)
);
alter table public.account_daily_sends enable row level security;

create index if not exists messages_uncertain on public.messages (updated_at) where status = 'uncertain';
