-- A contact that failed because of the sender's own setup (a revoked key) or a channel paused for
-- the account never reached the recipient: once the setup is fixed, that ad may be tried on that
-- channel again on a later day. Only failures of the recipient or of the message itself close the
-- channel for the ad for good. A failure records who it blames; an older failure (null) stays
-- closing, as before.
alter table public.messages add column if not exists failure_blame text;

do $$ begin
  alter table public.messages add constraint messages_failure_blame_known
    check (failure_blame in ('recipient', 'sender', 'paused', 'message'));
exception when duplicate_object then null; end $$;

-- Whether a message closes its channel for its ad: any live message, any failure but a setup one.
create or replace function public.message_closes_channel(status public.message_status, failure_blame text)
returns boolean language sql immutable as $$
  select status <> 'failed' or failure_blame is null or failure_blame not in ('sender', 'paused')
$$;

-- One attempt per account, ad and channel, setup failures aside (they are retried, never sent twice:
-- `messages_one_live_per_account_ad` still allows one live message per account and ad).
create unique index if not exists messages_one_attempt_per_account_ad_channel
  on public.messages (account_id, ad_id, channel)
  where public.message_closes_channel(status, failure_blame);

-- The constraint's index served every (account_id, ad_id[, channel]) lookup of candidate selection:
-- a plain index takes over before it goes.
create index if not exists messages_by_account_ad_channel on public.messages (account_id, ad_id, channel);
alter table public.messages drop constraint if exists messages_one_per_account_ad_channel;
