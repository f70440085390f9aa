// The data each job carries: ids only (secrets and content are loaded inside the processor).
// Payloads only ever change additively: jobs waiting in Redis outlive deploys.
import { z } from 'zod';

const lobstrRunId = z.string().regex(/^[0-9a-f]{32}$/, 'must be a 32-character Lobstr run hash');

export const JOB_PAYLOADS = {
  ingestLobstrRun: z.object({ lobstrRunId }),
  sendMessage: z.object({ messageId: z.uuid() }),
} as const;

export type IngestLobstrRunPayload = z.infer<typeof JOB_PAYLOADS.ingestLobstrRun>;
export type SendMessagePayload = z.infer<typeof JOB_PAYLOADS.sendMessage>;
