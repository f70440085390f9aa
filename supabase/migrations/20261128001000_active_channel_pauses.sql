-- The pauses in force now: one definition of "paused" for every reader (planning, the claim,
-- manual contacts, the WhatsApp status route) instead of the same predicate in each.
create or replace view public.active_channel_pauses as
  select account_id, channel, reason_code, reason, paused_until, created_at
  from public.account_channel_pauses
  where paused_until is null or paused_until > now();
