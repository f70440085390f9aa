-- The worker's message lifecycle on top of the web app's statuses:
--   pending → sending (claimed by exactly one processor) → sent | failed | uncertain | dry_run
-- uncertain: the provider may have accepted it (timeout, crash mid-call); never resent
-- automatically, left for an operator. dry_run: DRY_RUN=true, no provider was called.
alter type public.message_status add value if not exists 'sending' after 'pending';
alter type public.message_status add value if not exists 'uncertain';
alter type public.message_status add value if not exists 'dry_run';
