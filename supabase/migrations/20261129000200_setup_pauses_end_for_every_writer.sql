-- The trigger that ends a setup pause runs as its owner (security definer): the web app may write
-- `accounts` as the signed-in user, whom row-level security keeps away from `account_channel_pauses`.
-- Same body as 20261128001800's; only who it runs as changes.
create or replace function public.accounts_end_setup_pauses() returns trigger
language plpgsql security definer set search_path = '' as $$
begin
  delete from public.account_channel_pauses p
  where p.account_id = new.id and p.paused_until is null
    and ((p.channel = 'sms' and new.sms_api_key is distinct from old.sms_api_key)
      or (p.channel = 'ringless_voice' and new.fixed_phone_number is distinct from old.fixed_phone_number));
  return null;
end $$;
