import { CHANNEL_QUEUES, JOB_IDS, JOBS, type Channel } from '@auto-prospect/core';
import type { Queues } from './queues.js';

/** Enqueues a message's send job; the id makes a second dispatch of the same message a no-op. */
export async function dispatchMessage(queues: Queues, message: { id: string; channel: Channel; sendAt?: Date | null }): Promise<void> {
  const delay = message.sendAt ? Math.max(0, message.sendAt.getTime() - Date.now()) : 0;
  await queues[CHANNEL_QUEUES[message.channel]].add(JOBS.sendMessage, { messageId: message.id }, { jobId: JOB_IDS.message(message.id), delay });
}
