-- Ringless voice goes out in batches: one Voice Partner request carries the due messages of one
-- account and audio (up to 500 numbers). Each claimed message names the message whose job
-- claimed it — the batch's leader, whose own row names itself — so that job alone settles the
-- batch (a run of it that finds members still `sending` knows they are its own, interrupted),
-- and another message's job finding its row taken waits for that batch instead of calling it
-- uncertain. Cleared when the claim is given back.
alter table public.messages add column if not exists voice_batch_leader uuid;

-- A leader's members (its interrupted batch; Voice Partner's notifyUrl callbacks name the batch).
create index if not exists messages_by_voice_batch on public.messages (voice_batch_leader)
  where voice_batch_leader is not null;

-- A callback naming Voice Partner's campaign id instead finds its messages by it.
create index if not exists messages_by_voice_campaign on public.messages (external_id)
  where channel = 'ringless_voice' and external_id is not null;
