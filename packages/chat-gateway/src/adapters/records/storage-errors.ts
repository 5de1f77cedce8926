import { ConflictError, NotFoundError } from 'chatbot-mcp-server/core';
import { ChatError, StorageError } from '../../errors.js';

/** What the user reads when the chat's tables fail; the cause goes to the log, not the client. */
export const STORAGE_UNAVAILABLE_MESSAGE =
  'The chat history store is unavailable right now; retry in a few seconds.';

/**
 * Any failure of the record store as the gateway's `StorageError` (retryable), so that an
 * SDK error, a store message or a stack never reaches a client. Gateway errors pass through.
 */
export function toStorageError(error: unknown): ChatError {
  if (error instanceof ChatError) return error;
  return new StorageError(STORAGE_UNAVAILABLE_MESSAGE, { cause: error });
}

/** Runs one store call, translating its failures. */
export async function guarded<T>(call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (error) {
    throw toStorageError(error);
  }
}

/** A create met an existing key, or an update lost a version race. */
export function isConflict(error: unknown): boolean {
  return error instanceof ConflictError;
}

/** An update or delete found no live record. */
export function isNotFound(error: unknown): boolean {
  return error instanceof NotFoundError;
}
