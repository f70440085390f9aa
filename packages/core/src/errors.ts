// How a failure should be handled, decided where it is understood (the provider client or the
// usecase) and translated to BullMQ in one place (apps/worker/src/jobs/job-boundary.ts).
// Classify by class and `code`, never by message text. Messages never carry secrets.

export type FailureKind = 'permanent' | 'transient' | 'rate_limited' | 'not_now' | 'unknown_outcome';

export abstract class WorkerError extends Error {
  abstract readonly kind: FailureKind;
  constructor(
    /** Stable, machine-readable code, e.g. LOBSTR_RUN_NOT_FOUND. */
    readonly code: string,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** Retrying cannot help (bad input, revoked key, not found): fail the job for good. */
export class PermanentError extends WorkerError {
  override readonly name: string = 'PermanentError';
  readonly kind = 'permanent';
}

/** May succeed later (network, 5xx, database away): retry with backoff. */
export class TransientError extends WorkerError {
  override readonly name = 'TransientError';
  readonly kind = 'transient';
}

/** The provider asked us to slow down: wait `retryAfterMs` without using an attempt. */
export class RateLimitedError extends WorkerError {
  override readonly name = 'RateLimitedError';
  readonly kind = 'rate_limited';
  constructor(
    code: string,
    message: string,
    readonly retryAfterMs: number,
    options?: { cause?: unknown },
  ) {
    super(code, message, options);
  }
}

/** Not allowed now (sending window, pacing slot): run again at `resumeAt`. */
export class NotNowError extends WorkerError {
  override readonly name = 'NotNowError';
  readonly kind = 'not_now';
  constructor(
    code: string,
    message: string,
    readonly resumeAt: Date,
  ) {
    super(code, message);
  }
}

/** The provider may have acted (timeout or crash mid-call): never repeat it automatically. */
export class UnknownOutcomeError extends WorkerError {
  override readonly name = 'UnknownOutcomeError';
  readonly kind = 'unknown_outcome';
}

export function errorCodeOf(err: unknown): string {
  return err instanceof WorkerError ? err.code : 'UNEXPECTED_ERROR';
}

/** Who a permanent delivery failure is about, which decides what happens next. */
export type FailureBlame =
  /** The recipient cannot get it on this channel (invalid, landline, not on WhatsApp): try the next channel. */
  | 'recipient'
  /** The sender's own setup is broken (revoked key, logged out): pause the channel for the account. */
  | 'sender'
  /** The channel was already paused for the account: like a recipient failure, the next channel may take it. */
  | 'paused'
  /** Anything else about this one message. */
  | 'message';

export class DeliveryRefusedError extends PermanentError {
  override readonly name = 'DeliveryRefusedError';
  constructor(
    code: string,
    message: string,
    readonly blame: FailureBlame,
    options?: { cause?: unknown },
  ) {
    super(code, message, options);
  }
}
