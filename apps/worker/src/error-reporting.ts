// Sentry, when SENTRY_DSN is set: jobs that fail for good (once, not on every retry; a send whose
// outcome is unknown is one), messages left uncertain by a stopping process, HTTP 5xx, uncaught
// exceptions and unhandled rejections.
// Events carry the queue, job id and error code; phone numbers are masked and secrets never
// reach them (job data is ids only, and nothing else is attached).
import * as Sentry from '@sentry/node';
import { maskPhones } from '@auto-prospect/core';

export interface ErrorReporter {
  jobFailedForGood(
    err: Error,
    context: { queue: string; jobId: string | undefined; name: string; attempts: number; errorCode: string },
  ): void;
  requestFailed(err: Error, context: { method: string; route: string }): void;
  /** A message left `uncertain` outside a job (the process stopping mid-call): an operator must settle it. */
  messageUncertain(context: { messageId: string; errorCode: string }): void;
  flush(): Promise<void>;
}

const NOOP: ErrorReporter = {
  jobFailedForGood: () => {},
  requestFailed: () => {},
  messageUncertain: () => {},
  flush: () => Promise.resolve(),
};

export function createErrorReporter(dsn: string | undefined): ErrorReporter {
  if (!dsn) return NOOP;
  Sentry.init({
    dsn,
    // Only what this service needs: no tracing or breadcrumbs of HTTP bodies. A crash is still
    // reported (then the process exits, as Node would, for its supervisor to restart it).
    defaultIntegrations: false,
    integrations: [Sentry.onUncaughtExceptionIntegration(), Sentry.onUnhandledRejectionIntegration({ mode: 'strict' })],
    sendDefaultPii: false,
    tracesSampleRate: 0,
    beforeSend: (event) => maskPhones(event) as typeof event,
  });
  return {
    jobFailedForGood(err, context) {
      Sentry.captureException(err, {
        tags: { queue: context.queue, job_name: context.name, error_code: context.errorCode },
        extra: { jobId: context.jobId, attempts: context.attempts },
      });
    },
    requestFailed(err, context) {
      Sentry.captureException(err, { tags: { method: context.method, route: context.route } });
    },
    messageUncertain(context) {
      Sentry.captureMessage('message outcome unknown: an operator must settle it', {
        level: 'warning',
        tags: { error_code: context.errorCode },
        extra: { messageId: context.messageId },
      });
    },
    async flush() {
      await Sentry.flush(2000);
    },
  };
}
