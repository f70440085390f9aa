// Messages whose provider call is under way in this process: at shutdown, any still unanswered
// become `uncertain` (they may have been sent), never left claimed without an outcome; a send
// still waiting for its turn is told to give its claims back instead.
import { errorCodeOf, markUncertain, type ChannelSender, type VoiceCampaignSender } from '@auto-prospect/core';
import type { Sql } from '@auto-prospect/core/clients';
import type { ErrorReporter } from '../error-reporting.js';
import type { Metrics } from '../metrics.js';

export interface InFlightSends {
  /** The sender, with its calls tracked and timed under the provider's name. */
  channel(provider: string, sender: ChannelSender): ChannelSender;
  voice(sender: VoiceCampaignSender): VoiceCampaignSender;
  /** Marks every call still unanswered `uncertain` (at shutdown, once the workers are stopped). */
  markUnansweredUncertain(sql: Sql, errors: ErrorReporter): Promise<void>;
  /** Aborted once the process stops: a send waiting for its turn gives its claims back. */
  readonly stopping: AbortSignal;
  /** The process stops (before its workers are closed). */
  stop(): void;
}

export function createInFlightSends(metrics: Metrics): InFlightSends {
  const inFlight = new Set<string>();
  const stopping = new AbortController();
  async function track<T>(provider: string, messageIds: readonly string[], call: () => Promise<T>): Promise<T> {
    for (const id of messageIds) inFlight.add(id);
    const started = performance.now();
    let outcome = 'accepted';
    try {
      return await call();
    } catch (err) {
      outcome = errorCodeOf(err);
      throw err;
    } finally {
      for (const id of messageIds) inFlight.delete(id);
      metrics.providerCalls.observe({ provider, outcome }, (performance.now() - started) / 1000);
    }
  }
  return {
    channel: (provider, sender) => ({
      send: (message) => track(provider, [message.messageId], () => sender.send(message)),
    }),
    voice: (sender) => ({
      send: (campaign) => track('voicepartner', campaign.messageIds, () => sender.send(campaign)),
    }),
    stopping: stopping.signal,
    stop: () => stopping.abort(),
    async markUnansweredUncertain(sql, errors) {
      const failure = {
        code: 'INTERRUPTED_BY_SHUTDOWN',
        message: 'the worker stopped while the provider call was under way',
      };
      await Promise.all(
        [...inFlight].map(async (messageId) => {
          if (await markUncertain(sql, messageId, failure))
            errors.messageUncertain({ messageId, errorCode: failure.code });
        }),
      );
    },
  };
}
