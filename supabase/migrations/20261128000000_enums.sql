-- Enum types of the Auto-Prospect product. The web app's production database already has the
-- original ones, so each is created only where missing; the worker's extra values are added in
-- the next migration (a new enum value cannot be used in the transaction that adds it).

do $$ begin
  create type public.channel as enum ('sms', 'whatsapp_text', 'ringless_voice');
exception when duplicate_object then null; end $$;

do $$ begin
  create type public.hunt_status as enum ('active', 'paused');
exception when duplicate_object then null; end $$;

do $$ begin
  create type public.lead_stage as enum ('new', 'contacted', 'chased', 'won', 'lost');
exception when duplicate_object then null; end $$;

do $$ begin
  create type public.message_status as enum ('pending', 'sent', 'delivered', 'failed', 'read', 'replied');
exception when duplicate_object then null; end $$;

do $$ begin
  create type public.credit_transaction_type as enum ('purchase', 'usage', 'refund', 'adjustment');
exception when duplicate_object then null; end $$;

-- Worker-only types.
do $$ begin
  -- none: not metered (WhatsApp); the others follow one message's reservation exactly once.
  create type public.credit_state as enum ('none', 'reserved', 'consumed', 'released');
exception when duplicate_object then null; end $$;

do $$ begin
  create type public.run_status as enum ('running', 'completed', 'failed');
exception when duplicate_object then null; end $$;

do $$ begin
  create type public.lobstr_run_status as enum ('received', 'ingesting', 'completed', 'failed');
exception when duplicate_object then null; end $$;
