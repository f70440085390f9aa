// How replies and receipts are heard although sockets are only kept while sending: every listen
// period, each WhatsApp process connects the linked accounts that still await feedback. WhatsApp
// holds what arrived for an offline linked device and hands it over on connect; the socket then
// closes after its idle time. The Redis lease keeps it to one socket per account across
// processes: an account held elsewhere is heard by its holder. A local timer, not a job, so a
// Redis flush cannot stop it.
import pMap from 'p-map';
import { accountsAwaitingWhatsAppFeedback, LIMITS, type Logger } from '@auto-prospect/core';
import type { Sql, WhatsAppConnections } from '@auto-prospect/core/clients';

export interface WhatsAppListener {
  stop(): void;
}

export function listenForWhatsAppFeedback(deps: {
  sql: Sql;
  whatsapp: WhatsAppConnections;
  logger: Logger;
  periodMs: number;
}): WhatsAppListener {
  let running = false;
  async function round(): Promise<void> {
    if (running) return;
    running = true;
    try {
      // A few at a time: an account whose phone does not answer holds one connect's wait, not the round.
      await pMap(
        await accountsAwaitingWhatsAppFeedback(deps.sql, LIMITS.whatsappFeedbackDays),
        (accountId) =>
          deps.whatsapp
            .listen(accountId)
            .catch((err: unknown) =>
              deps.logger.warn(
                { accountId, err: err instanceof Error ? err.message : String(err) },
                'could not connect a WhatsApp account to hear back',
              ),
            ),
        { concurrency: LIMITS.whatsappListenConcurrency },
      );
    } catch (err) {
      deps.logger.warn(
        { err: err instanceof Error ? err.message : String(err) },
        'could not list the WhatsApp accounts to hear back; trying again next period',
      );
    } finally {
      running = false;
    }
  }
  const timer = setInterval(() => void round(), deps.periodMs);
  timer.unref();
  return { stop: () => clearInterval(timer) };
}
