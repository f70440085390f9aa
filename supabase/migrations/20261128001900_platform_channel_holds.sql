-- A channel held for every account because the platform's own provider account refuses (Voice
-- Partner: key, credit, standing), until `held_until`; each refusal while held pushes it back.
-- Planning leaves the channel out meanwhile, so contacts go to the hunt's next channel instead of
-- piling up behind a queue that cannot send.
create table if not exists public.platform_channel_holds (
  channel public.channel primary key,
  reason_code text not null,
  reason text not null,
  held_until timestamptz not null,
  created_at timestamptz not null default now()
);
alter table public.platform_channel_holds enable row level security;

-- Refusals of the platform's own Voice Partner account (key, credit, standing) no longer pause a
-- dealer's voice (they hold the voice queue instead): the pauses they left end now.
delete from public.account_channel_pauses
where channel = 'ringless_voice' and paused_until is null
  and reason_code in ('VOICE_KEY_REJECTED', 'VOICE_OUT_OF_CREDIT', 'VOICE_ACCOUNT_BLOCKED');
