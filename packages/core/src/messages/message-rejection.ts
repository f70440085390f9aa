/** Why a contact could not even be created (nothing was reserved or written). */
export type MessageRejection =
  | 'ALREADY_CONTACTED'
  | 'SELLER_CONTACTED_TODAY'
  | 'INSUFFICIENT_CREDITS'
  | 'DAILY_CAP_REACHED'
  | 'CHANNEL_PAUSED'
  | 'SUPPRESSED';

export class MessageRejectedError extends Error {
  override readonly name = 'MessageRejectedError';
  constructor(readonly reason: MessageRejection) {
    super(`message not created: ${reason}`);
  }
}
