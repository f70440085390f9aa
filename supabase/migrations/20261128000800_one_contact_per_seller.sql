-- One contact per seller, held by the database whatever the writer (domain.md, "One contact per
-- seller"). A message is *live* unless it failed: a failed one no longer counts, so a contact can
-- still be handed over to the next channel.

-- An account holds at most one live message per ad, whatever the hunt, channel, day or process.
-- (On an existing project this refuses to build while duplicates exist; find them with
--  select account_id, ad_id from messages where status <> 'failed' group by 1, 2 having count(*) > 1.)
create unique index if not exists messages_one_live_per_account_ad
  on public.messages (account_id, ad_id) where status <> 'failed';

-- An account contacts a phone number at most once per local day, even about different ads.
-- Rows of the web app (no recipient_phone or local_date) are not concerned: nulls never collide.
create unique index if not exists messages_one_live_per_account_phone_day
  on public.messages (account_id, recipient_phone, local_date) where status <> 'failed';

-- Never a new message for an ad the account already contacted (contacted_ads holds the history,
-- including contacts made before the worker existed). Refused as a unique violation, the
-- refusal every creator already treats as "already taken". Checked once per statement over all
-- its new rows, so a hunt's bulk insert pays one join, not one query per row.
create or replace function public.messages_refuse_contacted_ads() returns trigger
language plpgsql as $$
declare
  taken record;
begin
  select n.ad_id, n.account_id into taken
  from new_messages n join public.contacted_ads c on c.account_id = n.account_id and c.ad_id = n.ad_id
  limit 1;
  if found then
    raise exception 'ad % was already contacted by account %', taken.ad_id, taken.account_id
      using errcode = 'unique_violation', constraint = 'messages_not_for_contacted_ads';
  end if;
  return null;
end $$;

drop trigger if exists messages_refuse_contacted_ads on public.messages;
create trigger messages_refuse_contacted_ads after insert on public.messages
  referencing new table as new_messages
  for each statement execute function public.messages_refuse_contacted_ads();

-- (account_id, ad_id) lookups are served by the unique (account_id, ad_id, channel) index.
drop index if exists public.messages_by_account_ad;

-- Whether the ad's phone can get SMS or WhatsApp, so candidate selection knows reachability in
-- SQL. Ingestion sets it with libphonenumber (any country); rows written without it (older ads,
-- other writers) get the French numbering plan's answer, which libphonenumber agrees with for
-- every valid French number (+336, +337 mobile; +331–5 fixed, +338 special, +339 VoIP).
-- Unknown (null, a foreign number written without the flag): allocation asks libphonenumber.
alter table public.ads add column if not exists phone_is_mobile boolean;

create or replace function public.french_phone_is_mobile(e164 text) returns boolean
language sql immutable as $$
  select case when e164 ~ '^\+33[67]' then true when e164 ~ '^\+33' then false end
$$;

-- A French number always gets the plan's answer (so an update of the phone alone cannot leave a
-- stale flag); any other keeps what its writer gave.
create or replace function public.ads_classify_phone() returns trigger
language plpgsql as $$
begin
  new.phone_is_mobile := case when new.phone_number is null then null
                              else coalesce(public.french_phone_is_mobile(new.phone_number), new.phone_is_mobile) end;
  return new;
end $$;

drop trigger if exists ads_classify_phone on public.ads;
create trigger ads_classify_phone before insert or update of phone_number, phone_is_mobile on public.ads
  for each row execute function public.ads_classify_phone();

update public.ads set phone_is_mobile = public.french_phone_is_mobile(phone_number)
where phone_number is not null and phone_is_mobile is null;

-- An account's pending messages per channel in send order: where the next one's pacing continues
-- from, and each message's rank (its job priority) among them.
create index if not exists messages_pending_by_account on public.messages (account_id, channel, scheduled_at)
  where status = 'pending';
