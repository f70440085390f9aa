-- A webhook event is handled once per account, not once for the platform: one SMSMobileAPI account
-- may serve two dealers, or one event reach two dealers' URLs, and each must get its effect.
alter table public.provider_webhook_events drop constraint if exists provider_webhook_events_pkey;
create unique index if not exists provider_webhook_events_once_per_account
  on public.provider_webhook_events (provider, account_id, event_id) nulls not distinct;
