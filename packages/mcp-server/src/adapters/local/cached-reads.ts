import type { DirectRequest, DirectResponse } from './dynalite-direct.js';

/** Operations that change nothing; every other operation may. */
const READS: ReadonlySet<string> = new Set([
  'GetItem',
  'BatchGetItem',
  'Query',
  'Scan',
  'DescribeTable',
  'ListTables',
]);

export interface CachedReadsOptions {
  /** Answers kept, least recently used dropped first (default 1,000). */
  maxEntries?: number;
  /** Larger answers are not kept (default 64 KiB of JSON). */
  maxBodyChars?: number;
}

/**
 * `GetItem` answers kept in this thread, in front of the embedded store's worker thread. Each
 * operation through the worker costs two thread wake-ups, most of a `read_record` over stdio on
 * a busy machine; an item read again is answered here without them. Only this process writes
 * to the store (its folder lock), and every write goes through `request`: any operation other
 * than a read empties the cache when it is sent and again when it is answered, and a read
 * that overlapped a write is not kept, so a kept answer is never older than the last write.
 * Errors are never kept.
 */
export function cachedReads(
  request: DirectRequest,
  options: CachedReadsOptions = {},
): DirectRequest {
  const maxEntries = options.maxEntries ?? 1_000;
  const maxBodyChars = options.maxBodyChars ?? 64 * 1024;
  const cache = new Map<string, DirectResponse>();
  let generation = 0;
  const invalidate = (): void => {
    generation++;
    cache.clear();
  };

  return async (operation, body) => {
    if (!READS.has(operation)) {
      invalidate();
      try {
        return await request(operation, body);
      } finally {
        invalidate();
      }
    }
    if (operation !== 'GetItem') return request(operation, body);
    const hit = cache.get(body);
    if (hit) {
      cache.delete(body); // most recently used last
      cache.set(body, hit);
      return { ...hit };
    }
    const started = generation;
    const answer = await request(operation, body);
    if (answer.status === 200 && started === generation && answer.body.length <= maxBodyChars) {
      cache.set(body, { ...answer });
      if (cache.size > maxEntries) cache.delete(cache.keys().next().value!);
    }
    return answer;
  };
}
