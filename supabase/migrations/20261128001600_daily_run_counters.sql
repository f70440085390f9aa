-- A run's totals follow its hunts' outcomes by increments, kept by a trigger on daily_run_hunts.
-- They were recounted over every hunt of the run at each hunt's end, under the run row's lock: a
-- day of 30,000 hunts read 450 million rows, and every hunt waited for the others to count.
-- Now a hunt's end is one statement, and the run row is locked only for its own small update.

-- Adds a hunt's change to the run's totals, and completes the run once the fan-out registered
-- every hunt and each is done or failed (called with no change when the fan-out ends).
create or replace function public.settle_daily_run(run_id uuid, done_change integer, failed_change integer)
returns void language plpgsql as $$
declare
  run public.daily_runs;
  complete boolean;
begin
  -- Waits for any other hunt's change to the run, then reads the run as it left it.
  select * into run from public.daily_runs where id = run_id for update;
  complete := run.fanned_out_at is not null
    and run.hunts_done + done_change + run.hunts_failed + failed_change = run.hunts_total;
  update public.daily_runs set
    hunts_done = run.hunts_done + done_change,
    hunts_failed = run.hunts_failed + failed_change,
    status = case when complete then 'completed'::public.run_status else 'running'::public.run_status end,
    finished_at = case when complete then coalesce(run.finished_at, now()) end,
    duration_ms = case when complete
                    then (extract(epoch from coalesce(run.finished_at, now()) - run.started_at) * 1000)::int end
  where id = run_id;
end $$;

create or replace function public.daily_run_hunts_settle() returns trigger
language plpgsql as $$
begin
  perform public.settle_daily_run(
    new.daily_run_id,
    (new.status = 'completed')::int - coalesce(old.status = 'completed', false)::int,
    (new.status = 'failed')::int - coalesce(old.status = 'failed', false)::int);
  return null;
end $$;

drop trigger if exists daily_run_hunts_settle_insert on public.daily_run_hunts;
create trigger daily_run_hunts_settle_insert after insert on public.daily_run_hunts
  for each row when (new.status <> 'running') execute function public.daily_run_hunts_settle();
drop trigger if exists daily_run_hunts_settle_update on public.daily_run_hunts;
create trigger daily_run_hunts_settle_update after update of status on public.daily_run_hunts
  for each row when (old.status is distinct from new.status) execute function public.daily_run_hunts_settle();
