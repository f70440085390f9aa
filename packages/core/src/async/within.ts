/**
 * Resolves with the work's result, or rejects with `timedOut()` once `ms` have passed (the work
 * itself is not cancelled: the caller decides what to do with it).
 */
export async function within<T>(ms: number, work: Promise<T>, timedOut: () => Error): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(timedOut()), ms);
  });
  try {
    return await Promise.race([work, deadline]);
  } finally {
    clearTimeout(timer);
  }
}
