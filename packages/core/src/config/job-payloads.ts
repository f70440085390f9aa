// The data each job carries: ids only (secrets and content are loaded inside the processor).
// Payloads only ever change additively: jobs waiting in Redis outlive deploys.
import { z } from 'zod';

const localDate = z.iso.date();
const lobstrRunId = z.string().regex(/^[0-9a-f]{32}$/, 'must be a 32-character Lobstr run hash');

export const JOB_PAYLOADS = {
  ingestLobstrRun: z.object({ lobstrRunId }),
  /**
   * The sending account lets a job run again after pacing held it back wait again without touching
   * the database (the queue names the channel); jobs enqueued before it was added carry the message
   * id alone.
   */
  sendMessage: z.object({ messageId: z.guid(), accountId: z.guid().optional() }),
  /** Empty when the scheduler starts it: the local date then comes from the scheduled time. */
  fetchActiveHunts: z.object({ localDate: localDate.optional() }),
  processHunt: z.object({ huntId: z.guid(), localDate, dailyRunId: z.guid().nullable() }),
  /** Both maintenance jobs (the sweep and the SMS reply poll) carry nothing. */
  maintenance: z.object({}),
} as const;
