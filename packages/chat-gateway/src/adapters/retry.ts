/**
 * Retry, abort and tool-input handling shared by the model adapters (Bedrock, OpenAI-compatible).
 * Neutral: no SDK imports, so both sides of the AWS boundary can use it. Each adapter supplies
 * a `classify` function that says whether a failure is worth another attempt.
 */
import type { Logger } from 'chatbot-mcp-server/core';
import { ChatError, ModelUnavailableError } from '../errors.js';

/** Retry knobs accepted by every model adapter's constructor. */
export interface RetryOptions {
  /** Attempts in total, the first included (default 4). */
  maxAttempts?: number;
  /** Backoff before the second attempt, doubled for each further one (default 500 ms). */
  baseDelayMs?: number;
  /** Cap of a single backoff delay, `retry-after` included (default 8000 ms). */
  maxDelayMs?: number;
  /** Injected in tests so backoff neither waits nor flakes. */
  sleep?: (ms: number) => Promise<void>;
  /** Source of jitter in [0, 1) (default `Math.random`). */
  random?: () => number;
  /** Retries are logged at `warn` (default: silent). */
  logger?: Logger;
}

export type RetryPolicy = Required<Omit<RetryOptions, 'logger'>> & { logger?: Logger };

/** What an adapter decided about one failure. */
export interface FailureVerdict {
  /** Transient (throttling, 5xx, connection): worth another attempt if nothing was yielded. */
  retry: boolean;
  /** Thrown when not retrying, or when the attempts run out. */
  error: Error;
  /** The server's `retry-after`, honoured up to `maxDelayMs`. */
  retryAfterMs?: number;
  /** For the log only (never a message that may carry an ARN). */
  label: string;
}

export function resolveRetryPolicy(options: RetryOptions): RetryPolicy {
  return {
    maxAttempts: Math.max(1, options.maxAttempts ?? 4),
    baseDelayMs: options.baseDelayMs ?? 500,
    maxDelayMs: options.maxDelayMs ?? 8_000,
    sleep: options.sleep ?? ((ms) => new Promise((resolve) => setTimeout(resolve, ms))),
    random: options.random ?? Math.random,
    ...(options.logger && { logger: options.logger }),
  };
}

/**
 * Exponential backoff with full jitter (AWS Architecture Blog, "Exponential Backoff and
 * Jitter"): spreads clients that were throttled together. `retry` is 1 for the first retry.
 */
export function backoffDelay(retry: number, policy: RetryPolicy, retryAfterMs = 0): number {
  const ceiling = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** (retry - 1));
  const jittered = Math.floor(policy.random() * ceiling);
  return Math.min(policy.maxDelayMs, Math.max(jittered, retryAfterMs));
}

/** Thrown when the caller's signal aborts: a plain Error named `AbortError`, never a ChatError. */
export function abortError(signal?: AbortSignal): Error {
  const error = new Error('The model request was aborted.', { cause: signal?.reason });
  error.name = 'AbortError';
  return error;
}

/** Rejects with `abortError` as soon as `signal` aborts; a late rejection of `promise` is ignored. */
export function raceAbort<T>(promise: Promise<T>, signal?: AbortSignal): Promise<T> {
  if (!signal) return promise;
  if (signal.aborted) {
    promise.catch(() => undefined);
    return Promise.reject(abortError(signal));
  }
  return new Promise<T>((resolve, reject) => {
    const onAbort = (): void => reject(abortError(signal));
    signal.addEventListener('abort', onAbort, { once: true });
    promise.finally(() => signal.removeEventListener('abort', onAbort)).then(resolve, reject);
  });
}

/**
 * Iterates `source` but stops at once when `signal` aborts, even if the source is stuck in a
 * read (a stalled HTTP stream would otherwise hold the caller until a socket timeout).
 */
export async function* abortable<T>(
  source: AsyncIterable<T>,
  signal?: AbortSignal,
): AsyncGenerator<T> {
  const iterator = source[Symbol.asyncIterator]();
  let finished = false;
  try {
    while (true) {
      const next = await raceAbort(iterator.next(), signal);
      if (next.done) {
        finished = true;
        return;
      }
      yield next.value;
    }
  } finally {
    // Not awaited: an async generator queues return() behind a pending next(), which may never settle.
    if (!finished) iterator.return?.().catch(() => undefined);
  }
}

/** Shown when a stream fails after the caller already showed part of the answer. */
export const INTERRUPTED_MESSAGE =
  'The model stopped in the middle of its answer because the service failed; try again in a moment.';

/**
 * Runs `attempt` and yields its events. A failure before anything was yielded is retried with
 * backoff while `classify` calls it transient; after the first yield it is not retried (the
 * caller already showed text) and surfaces as a retryable `ModelUnavailableError`. ChatErrors
 * thrown by the adapter itself pass through untouched; an abort throws `abortError`.
 */
export async function* streamWithRetry<T>(
  attempt: (signal: AbortSignal) => AsyncIterable<T>,
  classify: (error: unknown) => FailureVerdict,
  policy: RetryPolicy,
  signal?: AbortSignal,
): AsyncGenerator<T> {
  for (let attemptNo = 1; ; attemptNo++) {
    if (signal?.aborted) throw abortError(signal);
    let yielded = 0;
    // One controller per attempt, aborted whenever the attempt ends: closes the HTTP stream
    // also when the caller stops early (a router breaks after its tool call) or it stalled.
    const attemptControl = new AbortController();
    const forward = (): void => attemptControl.abort(signal?.reason);
    signal?.addEventListener('abort', forward, { once: true });
    try {
      try {
        for await (const event of abortable(attempt(attemptControl.signal), signal)) {
          yielded++;
          yield event;
        }
      } finally {
        signal?.removeEventListener('abort', forward);
        attemptControl.abort();
      }
      return;
    } catch (error) {
      if (signal?.aborted) throw abortError(signal);
      if (error instanceof ChatError) throw error;
      const verdict = classify(error);
      if (!verdict.retry) throw verdict.error;
      if (yielded > 0) {
        throw new ModelUnavailableError(INTERRUPTED_MESSAGE, true, { cause: error });
      }
      if (attemptNo >= policy.maxAttempts) throw verdict.error;
      const delayMs = backoffDelay(attemptNo, policy, verdict.retryAfterMs);
      policy.logger?.warn('model call failed; retrying', {
        failure: verdict.label,
        attempt: attemptNo,
        delayMs,
      });
      await raceAbort(policy.sleep(delayMs), signal);
    }
  }
}

/**
 * Parses a tool call's streamed input once it is complete. Empty input means "no arguments".
 * Input that is not a JSON object is never guessed at (running a tool on `{}` could do harm):
 * it throws a retryable `ModelUnavailableError`, so the engine reports it and runs nothing.
 */
export function parseToolInput(json: string, toolName: string): Record<string, unknown> {
  if (json.trim() === '') return {};
  let value: unknown;
  try {
    value = JSON.parse(json);
  } catch (error) {
    throw malformedToolInput(toolName, error);
  }
  if (value === null) return {};
  if (typeof value !== 'object' || Array.isArray(value)) throw malformedToolInput(toolName);
  return value as Record<string, unknown>;
}

function malformedToolInput(toolName: string, cause?: unknown): ModelUnavailableError {
  return new ModelUnavailableError(
    `The model asked for tool ${toolName} with input that is not a JSON object (the answer may have hit the token limit), so the tool was not run; try again.`,
    true,
    { cause },
  );
}
