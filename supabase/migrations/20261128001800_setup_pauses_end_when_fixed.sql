-- A channel paused for the sender's own setup (no end time: a revoked SMSMobileAPI key, a sender
-- number Voice Partner refuses) stays paused until that setup changes, whoever changes it (the web
-- app writes `accounts`): a new key ends the account's SMS pause, a new fixed number its voice
-- pause. Timed pauses (WhatsApp's reach-out lock) keep their end. WhatsApp's end when the account
-- is linked again (whatsapp/whatsapp-sessions.ts).
create or replace function public.accounts_end_setup_pauses() returns trigger
language plpgsql as $$
begin
  delete from public.account_channel_pauses p
  where p.account_id = new.id and p.paused_until is null
    and ((p.channel = 'sms' and new.sms_api_key is distinct from old.sms_api_key)
      or (p.channel = 'ringless_voice' and new.fixed_phone_number is distinct from old.fixed_phone_number));
  return null;
end $$;

drop trigger if exists accounts_end_setup_pauses on public.accounts;
create trigger accounts_end_setup_pauses after update of sms_api_key, fixed_phone_number on public.accounts
  for each row
  when (old.sms_api_key is distinct from new.sms_api_key or old.fixed_phone_number is distinct from new.fixed_phone_number)
  execute function public.accounts_end_setup_pauses();
