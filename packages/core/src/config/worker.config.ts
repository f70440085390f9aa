// The one place for queue names, job names and ids, retry policies, timeouts, schedules, route
// paths and default limits. Nothing else in the code base writes these as literals.
// Plain data only: core never imports bullmq; apps/worker hands these objects to it.
import type { Channel } from '../channel.js';

export const QUEUES = {
  fetchActiveHunts: 'fetch-active-hunts',
  processHunt: 'process-hunt',
  sms: 'channel-sms',
  whatsapp: 'channel-whatsapp',
  voice: 'channel-voice',
  scraping: 'lobstr-scraping',
  maintenance: 'maintenance-sweeps',
} as const;
export type QueueKey = keyof typeof QUEUES;

/**
 * What a process runs (WORKER_ROLES, all by default), so operators can scale the channel queues,
 * scraping and orchestration separately. Every process serves HTTP.
 */
export const WORKER_ROLES = {
  scraping: ['scraping'],
  orchestration: ['fetchActiveHunts', 'processHunt', 'maintenance'],
  sms: ['sms'],
  whatsapp: ['whatsapp'],
  voice: ['voice'],
} as const satisfies Record<string, readonly QueueKey[]>;
export const WORKER_ROLE_NAMES = [
  'scraping',
  'orchestration',
  'sms',
  'whatsapp',
  'voice',
] as const satisfies readonly (keyof typeof WORKER_ROLES)[];

/** The queue each channel's messages are sent from. */
export const CHANNEL_QUEUES = {
  sms: 'sms',
  whatsapp_text: 'whatsapp',
  ringless_voice: 'voice',
} as const satisfies Record<Channel, QueueKey>;

/**
 * Whose limit a provider's 429 is. SMSMobileAPI keys and WhatsApp numbers belong to one dealer:
 * only that account's messages wait. Voice Partner's key is the platform's: the whole queue waits.
 */
export const RATE_LIMIT_SCOPE = {
  sms: 'account',
  whatsapp_text: 'account',
  ringless_voice: 'platform',
} as const satisfies Record<Channel, 'account' | 'platform'>;

export const JOBS = {
  fetchActiveHunts: 'fetch-active-hunts',
  processHunt: 'process-hunt',
  sendMessage: 'send-message',
  ingestLobstrRun: 'ingest-lobstr-run',
  sweepPendingMessages: 'sweep-pending-messages',
  pollSmsReplies: 'poll-sms-replies',
} as const;

/**
 * BullMQ custom ids may not contain ":" (its key separator) and may not be all digits (they
 * would collide with its own counter ids). Every id is built here from a fixed word and ids.
 */
function jobId(kind: string, ...parts: string[]): string {
  const id = [kind, ...parts].join('-');
  if (id.includes(':') || /^\d+$/.test(id)) throw new Error(`invalid job id: ${id}`);
  return id;
}

export const JOB_IDS = {
  /** One daily run per local date (YYYY-MM-DD in OUTREACH_TIMEZONE). */
  dailyRun: (localDate: string) => jobId('daily-run', localDate),
  /**
   * One hunt job per hunt of a daily run, named after the run's row: a run the database starts
   * anew (reset, switched) gets new jobs, whatever finished jobs Redis still remembers.
   */
  hunt: (dailyRunId: string, huntId: string) => jobId('hunt', dailyRunId, huntId),
  /** A hunt processed by hand: at most one waiting at a time per hunt and local date. */
  manualHunt: (huntId: string, localDate: string) => jobId('manual-hunt', huntId, localDate),
  message: (messageId: string) => jobId('message', messageId),
  lobstrRun: (lobstrRunId: string) => jobId('lobstr-run', lobstrRunId),
} as const;

/** Repeatable jobs; the id is the BullMQ job-scheduler id, upserted at every boot. */
export const SCHEDULERS = {
  dailyRun: 'daily-run-scheduler',
  pendingMessageSweeper: 'pending-message-sweeper',
  smsReplyPoller: 'sms-reply-poller',
} as const;

export const DEFAULT_DAILY_RUN_CRON = '0 9 * * 1-5';
/** How often the sweeper restores lost jobs (SWEEP_PERIOD_SECONDS, by default). */
export const PENDING_MESSAGE_SWEEP_SECONDS = 60;
/**
 * How often an orchestration process checks that the job schedulers are still in Redis (three
 * reads, nothing logged unless one is missing). A restored sweeper runs at once, so a Redis that
 * lost its data has every lost job back about a second later, well within one sweep period.
 */
export const SCHEDULER_CHECK_MS = 1_000;
export const SMS_REPLY_POLL_CRON = '*/5 * * * *';

/** Retry policy and retention per queue, given to BullMQ as *job* options (never Worker ones). */
export interface QueueJobOptions {
  readonly attempts: number;
  readonly backoff: { readonly type: 'exponential'; readonly delay: number; readonly jitter: number };
  readonly removeOnComplete: { readonly age: number; readonly count: number };
  readonly removeOnFail: { readonly age: number };
}

const DAY_S = 24 * 3600;
const retention = { removeOnComplete: { age: 2 * DAY_S, count: 10_000 }, removeOnFail: { age: 14 * DAY_S } };

export const JOB_OPTIONS: Readonly<Record<QueueKey, QueueJobOptions>> = {
  fetchActiveHunts: { attempts: 5, backoff: { type: 'exponential', delay: 10_000, jitter: 0.3 }, ...retention },
  processHunt: { attempts: 5, backoff: { type: 'exponential', delay: 5_000, jitter: 0.3 }, ...retention },
  // Channel jobs retry only what is safe to retry (nothing reached the provider, or it said 5xx/429).
  sms: { attempts: 6, backoff: { type: 'exponential', delay: 15_000, jitter: 0.5 }, ...retention },
  whatsapp: { attempts: 4, backoff: { type: 'exponential', delay: 30_000, jitter: 0.5 }, ...retention },
  voice: { attempts: 6, backoff: { type: 'exponential', delay: 15_000, jitter: 0.5 }, ...retention },
  scraping: { attempts: 8, backoff: { type: 'exponential', delay: 10_000, jitter: 0.3 }, ...retention },
  maintenance: { attempts: 3, backoff: { type: 'exponential', delay: 10_000, jitter: 0.3 }, ...retention },
};

/** Worker settings per queue (concurrency within one process; limiter over all workers). */
export const WORKER_SETTINGS: Readonly<
  Partial<Record<QueueKey, { concurrency: number; limiter?: { max: number; duration: number } }>>
> = {
  // One run at a time per process: Lobstr allows 2 result pages per second for the account.
  scraping: { concurrency: 1, limiter: { max: 10, duration: 1000 } },
  // No queue limiter: pacing and a key's 429 are per sending account (RATE_LIMIT_SCOPE), so they
  // postpone that account's jobs only.
  sms: { concurrency: 4 },
  // Voice Partner's limit (VOICE_REQUESTS_PER_MINUTE) is paced in Redis right before each real
  // request (messages/send-voice-batch-exactly-once.ts): a job whose message another job's batch already took
  // costs nothing. This limiter never limits by count (BullMQ would count every job); it is there
  // because BullMQ's manual rate limit (worker.rateLimit), which holds the whole queue when the
  // platform's next request slot is not open yet, only acts on a worker that has one.
  voice: { concurrency: 1, limiter: { max: Number.MAX_SAFE_INTEGER, duration: 1000 } },
  whatsapp: { concurrency: 2 },
  // The reply poll can take minutes (thousands of dealers' phones, each read bounded by
  // PROVIDER_TIMEOUT_MS): the sweep runs beside it rather than after it. Every maintenance job is
  // idempotent, so two of one kind overlapping is harmless.
  maintenance: { concurrency: 2 },
};

/**
 * HTTP calls accepted per client address and minute, by default (WEBHOOK_RATE_LIMIT_PER_MINUTE,
 * API_RATE_LIMIT_PER_MINUTE): counted in Redis, so every replica shares the budget, and before
 * authentication, so guessing a secret is throttled too.
 */
export const RATE_LIMITS_PER_MINUTE = { webhook: 120, api: 600 } as const;

export const TIMEOUTS_MS = {
  /** One HTTP call to a provider; past it the outcome of a send is unknown. */
  providerRequest: 20_000,
  /** One readiness probe of Redis or Postgres. */
  healthCheck: 2_000,
  /**
   * A job whose worker stopped renewing its lock this long ago (process killed, event loop
   * blocked) is taken back and run again; the ledger makes that harmless.
   */
  jobLock: 30_000,
  /**
   * A daily run still open this long after it began is late (its hunts are planned in minutes;
   * sends go on afterwards): readiness names it and the metric alerts on it.
   */
  dailyRunLate: 2 * 3600_000,
  /** How long a starting process waits for Redis and Postgres before giving up. */
  dependenciesAtBoot: 30_000,
  /** Postgres connection attempt. */
  databaseConnect: 5_000,
  /** A signed SMSMobileAPI webhook older (or further ahead) than this is refused as a replay. */
  smsWebhookMaxAge: 300_000,
  /**
   * A voice job whose message is in another job's batch request looks again this much later: the
   * batch ends with the request (bounded by PROVIDER_TIMEOUT_MS), or its leader's job, run again
   * after a crash, calls it uncertain.
   */
  voiceBatchRecheck: 10_000,
  /**
   * Voice Partner refused the platform's own account (key, credit, standing): the voice queue holds
   * this long before trying again, so a fix by an operator is picked up without a restart.
   */
  voicePlatformRefusalHold: 10 * 60_000,
  /**
   * How long a voice job waits for the platform's next request slot to send what a refusal left of
   * its batch (the rest, or the halves of a batch refused for a number not named), at most.
   */
  voiceFollowUpSlotWait: 60_000,
  /** The reply poll's lease in Redis, renewed while the poll runs: a poll whose process died frees it this late. */
  smsReplyPollLease: 60_000,
  /** A send job that found its message released by another run as it claimed it tries again this much later. */
  claimRaceRetry: 1_000,
  /**
   * A hunt job waits this long at most for its account's allocation lock (another hunt's whole
   * allocation takes well under a second), then tries again as long after, freeing its slot.
   */
  allocationLockWait: 10_000,
} as const;

export const ROUTES = {
  healthLive: '/health/live',
  healthReady: '/health/ready',
  lobstrWebhook: '/webhooks/lobstr/:token',
  smsMobileApiWebhook: '/webhooks/smsmobileapi/:accountId',
  /** Voice Partner's notifyUrl (GET, parameters undocumented); `batch` in the query is ours. */
  voicePartnerNotify: '/webhooks/voicepartner/:token',
  dailyRuns: '/api/daily-runs',
  dailyRun: '/api/daily-runs/:runId',
  huntRun: '/api/hunts/:huntId/run',
  queues: '/api/queues',
  job: '/api/jobs/:queue/:jobId',
  whatsappLink: '/api/accounts/:accountId/whatsapp',
  smsWebhookSecret: '/api/accounts/:accountId/sms-webhook-secret',
  channelPause: '/api/accounts/:accountId/pauses/:channel',
  messages: '/api/messages',
  messageResolve: '/api/messages/:messageId/resolve',
  metrics: '/metrics',
  dashboard: '/admin/queues',
  docs: '/docs',
} as const;

/**
 * Gaps between two messages of one sending account on one phone (SMS, WhatsApp): a random gap
 * between the minimum and twice the minimum, so sends do not look automated.
 */
export const PACING = {
  smsMinGapSeconds: 30,
  whatsappMinGapSeconds: 60,
  /** WhatsApp is paused this long for an account after a reach-out time lock (error 463). */
  whatsappTimeLockPauseHours: 24,
  /** A setup failure that may be fixed without the account changing is tried again this much later. */
  setupRecheckMinutes: 60,
  /**
   * How often a linked account with recent WhatsApp messages is connected to hear back: WhatsApp
   * holds receipts and replies for an offline linked device and hands them over on connect.
   */
  whatsappListenPeriodSeconds: 300,
  /**
   * A message that took its account's slot and comes back this soon (its send did not happen: a
   * 429, a timeout) goes to the front of the account's line (redis/send-pacer.ts).
   */
  lineFrontAfterTakeMinutes: 10,
  /**
   * A place in an account's line whose message is this late coming back belongs to a message that
   * went another way (its job removed); a job held up in a busy queue keeps its place meanwhile.
   */
  lineLateMinutes: 10,
} as const;

/**
 * Pauses that end by themselves, by reason code, after this long (ms): the channel is tried again
 * then, and paused anew if it still fails. Any other setup failure pauses the channel until the
 * account's setup changes (or an operator ends it).
 */
export const TIMED_PAUSES_MS: Readonly<Record<string, number>> = {
  WHATSAPP_REACHOUT_TIME_LOCK: PACING.whatsappTimeLockPauseHours * 3600_000,
  WHATSAPP_NEW_CHATS_CAPPED: PACING.whatsappTimeLockPauseHours * 3600_000,
  // Fixed without any change to the account's row (a plan renewed under the same key, a sender
  // number validated on Voice Partner as it was): nothing would tell the pause to end.
  SMS_PLAN_EXPIRED: PACING.setupRecheckMinutes * 60_000,
  VOICE_SENDER_REFUSED: PACING.setupRecheckMinutes * 60_000,
  // Fixed in the dealer's template (or by Voice Partner validating the audio), not the account.
  VOICE_UNKNOWN_AUDIO: PACING.setupRecheckMinutes * 60_000,
};

export const LIMITS = {
  /** WhatsApp messages one sending account may send per local day (anti-ban). */
  whatsappDailyCapPerAccount: 20,
  /** Lobstr allows at most 100 results per page. */
  lobstrResultsPageSize: 100,
  /** Ads per upsert statement: 500 rows × AD_ROW_COLUMNS (34) stays far below Postgres' 65,535 parameters. */
  adsUpsertChunk: 500,
  /** Most contacts one hunt plans in one day, whatever its limit (null = unlimited). */
  huntCandidatesMax: 1000,
  /** Active hunts read per keyset page when a daily run fans out. */
  huntsPageSize: 1000,
  /** Jobs per addBulk call when fanning out hunts. */
  fanoutChunk: 500,
  /**
   * Times a job may stall (its process died or froze holding it) and still run again. BullMQ's
   * default, 1, fails a job killed twice in a row without its processor ever knowing; every job
   * here is safe to re-run (a send found `sending` turns uncertain, a hunt adds only what is left).
   */
  jobStallsAllowed: 5,
  /** Days after a WhatsApp message during which the worker still listens for its receipts and reply. */
  whatsappFeedbackDays: 14,
  /** Accounts a WhatsApp process connects at once to hear back (each may wait for its phone). */
  whatsappListenConcurrency: 4,
  /**
   * SMSMobileAPI accounts whose replies or sent log are read at once by a maintenance job: each
   * read waits on the dealer's own phone, so one that never answers holds one of these for
   * PROVIDER_TIMEOUT_MS while the others go on.
   */
  smsAccountReadConcurrency: 8,
  /** Numbers in one Voice Partner campaign request (providers.md §2.2). */
  voiceNumbersPerRequest: 500,
  /** Largest JSON body accepted over HTTP. */
  httpBodyBytes: 256 * 1024,
  /** Largest webhook body (Lobstr's and SMSMobileAPI's documented payloads are under a few KB). */
  webhookBodyBytes: 16 * 1024,
} as const;
