/** Retry and concurrency helpers shared by adapters that call throttled AWS services. */

export interface BackoffOptions {
  /** Total attempts, the first included. */
  maxAttempts: number;
  /** Upper bound of the first retry's delay, in milliseconds; doubles on each retry. */
  baseDelayMs: number;
  /** No delay exceeds this, in milliseconds. */
  maxDelayMs: number;
  sleep: (ms: number) => Promise<void>;
  /** A number in [0, 1); Math.random unless a test pins it. */
  random: () => number;
}

export const defaultSleep = (ms: number): Promise<void> =>
  new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Runs `call`, retrying while `retryable(error)` holds, with exponential backoff and full jitter
 * (a delay drawn uniformly from [0, min(max, base * 2^retry))), which spreads out clients that
 * were throttled together. The last error is rethrown unchanged.
 */
export async function withBackoff<T>(
  call: () => Promise<T>,
  retryable: (error: unknown) => boolean,
  options: BackoffOptions,
): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await call();
    } catch (error) {
      if (attempt >= options.maxAttempts || !retryable(error)) throw error;
      const ceiling = Math.min(options.maxDelayMs, options.baseDelayMs * 2 ** (attempt - 1));
      await options.sleep(Math.floor(options.random() * ceiling));
    }
  }
}

/**
 * Maps `items` through `task` with at most `concurrency` calls in flight, keeping input order.
 * The first failure stops new calls from starting and is rethrown once the running ones settle.
 */
export async function mapWithConcurrency<T, R>(
  items: readonly T[],
  concurrency: number,
  task: (item: T, index: number) => Promise<R>,
): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  let failure: { error: unknown } | undefined;
  const worker = async (): Promise<void> => {
    while (!failure && next < items.length) {
      const index = next++;
      try {
        results[index] = await task(items[index] as T, index);
      } catch (error) {
        failure ??= { error };
      }
    }
  };
  const workers = Array.from({ length: Math.min(concurrency, items.length) }, () => worker());
  await Promise.all(workers);
  if (failure) throw failure.error;
  return results;
}
