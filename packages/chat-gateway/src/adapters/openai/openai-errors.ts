/**
 * Classifies failures of an OpenAI-compatible server into retry decisions and actionable
 * `ModelUnavailableError`s naming the variable to fix (OPENAI_API_KEY, OPENAI_MODEL,
 * OPENAI_BASE_URL). The API key never appears: 401 messages from OpenAI quote part of it.
 */
import { APIConnectionError, APIError } from 'openai';
import { ModelUnavailableError } from '../../errors.js';
import type { FailureVerdict } from '../retry.js';

export interface OpenAiErrorContext {
  baseURL: string;
  model: string;
}

const BUSY = 'the model is busy; try again in a moment.';

/** The base URL without credentials or query (a proxy URL may carry either). */
export function displayUrl(baseURL: string): string {
  try {
    const url = new URL(baseURL);
    return `${url.origin}${url.pathname}`.replace(/\/$/, '');
  } catch {
    return 'the configured URL';
  }
}

/** The first `code` in the cause chain (fetch wraps the socket error: TypeError -> Error). */
function causeCode(error: unknown): string | undefined {
  let current: unknown = error;
  for (let depth = 0; depth < 5 && current; depth++) {
    const code = (current as { code?: unknown }).code;
    if (typeof code === 'string' && /^E[A-Z_]+$/.test(code)) return code;
    current = (current as { cause?: unknown }).cause;
  }
  return undefined;
}

/** `retry-after` (seconds or an HTTP date) or `retry-after-ms`, in milliseconds. */
function retryAfterMs(headers: Headers | undefined): number | undefined {
  const ms = Number(headers?.get('retry-after-ms'));
  if (ms > 0) return ms;
  const value = headers?.get('retry-after');
  if (!value) return undefined;
  const seconds = Number(value);
  if (Number.isFinite(seconds)) return Math.max(0, seconds * 1000);
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : Math.max(0, date - Date.now());
}

export function classifyOpenAiError(error: unknown, context: OpenAiErrorContext): FailureVerdict {
  const url = displayUrl(context.baseURL);
  const fail = (message: string, retryable: boolean, label: string): FailureVerdict => ({
    retry: false,
    error: new ModelUnavailableError(message, retryable, { cause: error }),
    label,
  });

  if (error instanceof APIConnectionError) {
    if (!causeCode(error) && error.cause instanceof TypeError) {
      // fetch refuses the URL itself (e.g. user:password@ in it); its message repeats the URL.
      return fail(
        `OPENAI_BASE_URL (${url}) is not a URL the gateway can request; check it (an API key belongs in OPENAI_API_KEY, not in the URL).`,
        false,
        'unusable URL',
      );
    }
    const code = causeCode(error) ?? 'connection error';
    const refused = code === 'ECONNREFUSED' || code === 'ENOTFOUND';
    const message = refused
      ? `Cannot reach the model server at OPENAI_BASE_URL (${url}): ${code === 'ENOTFOUND' ? 'unknown host' : 'connection refused'}. Is the server running? Check OPENAI_BASE_URL.`
      : `The connection to the model server at OPENAI_BASE_URL (${url}) failed (${code}): ${BUSY}`;
    return { ...fail(message, !refused, code), retry: true };
  }
  if (error instanceof APIError) {
    const status = error.status as number | undefined;
    const label = status ? `HTTP ${status}` : 'stream error';
    if (status === 401 || status === 403) {
      return fail(
        `The model server at ${url} rejected the API key (HTTP ${status}). Set OPENAI_API_KEY to a valid key for this server (local servers accept any value), then restart.`,
        false,
        label,
      );
    }
    if (status === 404) {
      return fail(
        `The model server at ${url} has no model "${context.model}" (HTTP 404). Check OPENAI_MODEL (e.g. "ollama list" shows local names) and OPENAI_BASE_URL (it usually ends in /v1).`,
        false,
        label,
      );
    }
    if (status === 429 && error.code === 'insufficient_quota') {
      return fail(
        `The model provider at ${url} reports the account's quota is used up; check its billing.`,
        false,
        label,
      );
    }
    // No status: an error object inside the stream, which the server sends for transient faults.
    if (
      status === undefined ||
      status === 408 ||
      status === 409 ||
      status === 429 ||
      status >= 500
    ) {
      const what = status === 429 ? 'is rate limiting requests' : 'failed temporarily';
      const headers = error.headers instanceof Headers ? error.headers : undefined;
      const after = retryAfterMs(headers);
      return {
        ...fail(`The model server at ${url} ${what}: ${BUSY}`, true, label),
        retry: true,
        ...(after !== undefined && { retryAfterMs: after }),
      };
    }
    // 400/422: the server's reason helps (e.g. "model does not support tools"); it holds no key.
    const reason = error.message.replace(/^\d{3}\s*/, '').slice(0, 300);
    return fail(
      `The model server at ${url} rejected the request (HTTP ${status}): ${reason}`,
      false,
      label,
    );
  }
  if ((error as { name?: string } | undefined)?.name === 'IncompleteStreamError') {
    return {
      ...fail(
        `The model server at ${url} ended its answer early: ${BUSY}`,
        true,
        'incomplete stream',
      ),
      retry: true,
    };
  }
  return fail(
    `The model server at ${url} failed to answer; see the gateway log.`,
    false,
    'unexpected error',
  );
}
