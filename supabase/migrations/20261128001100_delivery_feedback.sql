-- Delivery feedback: what happened to a message after the provider accepted it (delivered,
-- read, replied, failed on the phone), the replies themselves, and the provider callbacks that
-- told us, each handled once.

-- The account's SMSMobileAPI Webhook V2 signing secret, encrypted like sms_api_key.
alter table public.accounts add column if not exists sms_webhook_secret text;

alter table public.messages
  add column if not exists delivered_at timestamptz,
  add column if not exists read_at timestamptz,
  add column if not exists replied_at timestamptz,
  -- SMS: when the phone really sent it (Webhook V2 sms.sent); the status stays `sent`.
  add column if not exists handset_sent_at timestamptz,
  -- Raw provider callbacks about the message (Voice Partner's notifyUrl query, undocumented).
  add column if not exists provider_reports jsonb not null default '[]'::jsonb;

-- Receipts and callbacks find their message by the provider's id.
create index if not exists messages_by_external_id on public.messages (account_id, external_id)
  where external_id is not null;

-- After the provider accepted a message its status only moves forward: sent → delivered → read
-- → replied (a late "delivered" never undoes "read"). Leaving that order (e.g. failed on the
-- phone) is not a step back and stays allowed.
create or replace function public.message_feedback_rank(s public.message_status) returns integer
language sql immutable as $$
  select case s when 'sent' then 1 when 'delivered' then 2 when 'read' then 3 when 'replied' then 4 end
$$;

create or replace function public.messages_feedback_forward_only() returns trigger
language plpgsql as $$
begin
  if public.message_feedback_rank(new.status) < public.message_feedback_rank(old.status) then
    raise exception 'message % cannot go back from % to %', old.id, old.status, new.status
      using errcode = 'check_violation', constraint = 'messages_feedback_forward_only';
  end if;
  return new;
end $$;

drop trigger if exists messages_feedback_forward_only on public.messages;
create trigger messages_feedback_forward_only before update of status on public.messages
  for each row execute function public.messages_feedback_forward_only();

-- Replies from people the account contacted (other traffic of the dealer's phone is not kept).
create table if not exists public.inbound_messages (
  id uuid primary key default gen_random_uuid(),
  account_id uuid not null references public.accounts (id) on delete cascade,
  channel public.channel not null,
  phone_number text not null,
  body text not null,
  received_at timestamptz not null,
  -- The provider's id of the reply (WhatsApp key id, SMSMobileAPI guid): each is handled once,
  -- whichever path (push or poll) sees it first.
  external_id text not null,
  answers_message_id uuid references public.messages (id) on delete set null,
  opt_out boolean not null default false,
  created_at timestamptz not null default now(),
  unique (account_id, channel, external_id)
);
alter table public.inbound_messages enable row level security;
create index if not exists inbound_messages_by_message on public.inbound_messages (answers_message_id);

-- Provider webhook deliveries already handled (at-least-once delivery → handled once).
create table if not exists public.provider_webhook_events (
  provider text not null,
  event_id text not null,
  account_id uuid references public.accounts (id) on delete cascade,
  event_type text not null,
  received_at timestamptz not null default now(),
  primary key (provider, event_id)
);
alter table public.provider_webhook_events enable row level security;

-- A credit given back for a message the provider accepted but could not deliver: once.
create unique index if not exists credit_refund_once_per_message
  on public.credit_transactions (message_id) where type = 'refund';
