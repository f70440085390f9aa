-- An SMS the provider accepted (credit consumed) that the phone then failed to send (Webhook V2
-- sms.failed) gets its credit back: `refunded`, with a `refund` transaction tied to the message
-- (once, by credit_refund_once_per_message). Unlike `released`, the credit was consumed first.
alter type public.credit_state add value if not exists 'refunded';
