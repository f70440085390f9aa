export * from './config/worker.config.js';
export { parseEnv, ConfigError, type Env } from './config/env.js';
export { createLogger, maskPhones, type Logger } from './logging/logger.js';
export { encryptSecret } from './crypto/secret-box.js';
export * from './errors.js';
export * from './config/job-payloads.js';
export { createLobstrClient, type LobstrClient } from './lobstr/lobstr-client.js';
export { ingestLobstrRun } from './lobstr/ingest-lobstr-run.js';
export { admitLobstrRuns, type AnnouncedRun } from './lobstr/lobstr-runs.js';
export { mapLobstrResult } from './lobstr/map-lobstr-result.js';
export { toE164 } from './phone/phone-number.js';
export { loadReferenceLookups } from './lobstr/reference-lookups.js';
export { AD_ROW_COLUMNS } from './ads/ad-row.js';
export { CHANNELS, type Channel } from './channel.js';
export type { ChannelSender } from './channels/channel-sender.js';
export { createSmsMobileApiSender } from './channels/smsmobileapi-sender.js';
export { createVoicePartnerSender, type VoiceCampaignSender } from './channels/voice-partner-sender.js';
export { createVoiceRequestPace } from './redis/voice-request-pace.js';
export { sendVoiceBatch, type SendVoiceBatchDeps } from './hunts/send-voice-batch.js';
export { recordVoiceNotification } from './messages/voice-notification.js';
export { createMessage, type CreateMessageResult } from './messages/create-message.js';
export { sendExactlyOnce } from './messages/send-exactly-once.js';
export { createSendPacer } from './redis/send-pacer.js';
export { acquireLease, type Lease } from './redis/lease.js';
export {
  sendingWindow,
  localDateOf,
  firstSendingDate,
  ALWAYS_OPEN,
  type SendingWindow,
} from './schedule/sending-window.js';
export { formatPrice } from './templates/render-template.js';
export { processHunt, type ProcessHuntDeps } from './hunts/process-hunt.js';
export { messagesToRedispatch, type PendingDispatch } from './messages/pending-dispatch.js';
export { sendMessage, type SendMessageDeps } from './hunts/send-message.js';
export { fetchActiveHunts, type FetchActiveHuntsDeps } from './hunts/fetch-active-hunts.js';
export {
  ensureDailyRun,
  dailyRunReport,
  recordLostHunt,
  oldestUnfinishedDailyRun,
  openDailyRuns,
  unfinishedHuntsPage,
  type DailyRunReport,
} from './hunts/daily-runs.js';
export { createSmsMobileApiInbox, type SmsInbox } from './channels/smsmobileapi-inbox.js';
export { createSmsMobileApiSentLog, type SmsSentLogReader } from './channels/smsmobileapi-sent-log.js';
export { reconcileUncertainSms } from './messages/reconcile-uncertain.js';
export { pollSmsReplies } from './messages/poll-sms-replies.js';
export { markUncertain } from './messages/message-ledger.js';
export { endChannelPause } from './messages/channel-pauses.js';
export { createManualContact } from './hunts/create-manual-contact.js';
export { allocateHuntDay } from './hunts/allocate-hunt-day.js';
export { planCandidateQueries, selectCandidates } from './hunts/select-candidates.js';
export { loadHuntPlan, huntExists } from './hunts/hunt-plan.js';
export { resolveUncertainMessage, listUncertainMessages } from './messages/resolve-uncertain.js';
export { handOverContact, type HandOverDeps } from './hunts/hand-over-contact.js';
export { within } from './async/within.js';
export { accountsAwaitingWhatsAppFeedback, whatsAppSessionStatus } from './whatsapp/whatsapp-sessions.js';
export { businessTotals } from './reporting/business-totals.js';
export {
  isFreshWebhookTimestamp,
  hasValidWebhookSignature,
  parseSmsWebhookEvent,
  smsWebhookEnvelope,
} from './channels/smsmobileapi-webhook.js';
export { storeSmsWebhookSecret, smsWebhookSecretOf } from './channels/smsmobileapi-webhook-secret.js';
export { recordSmsWebhookEvent } from './messages/record-sms-webhook-event.js';
export { SMS_FAILED_ON_PHONE } from './messages/fail-sent-message.js';
