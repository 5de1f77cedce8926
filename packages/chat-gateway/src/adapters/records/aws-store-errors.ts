import { ConflictError, NotFoundError } from 'chatbot-mcp-server/core';
import { toStorageError } from './storage-errors.js';

/**
 * One record-store call of the AWS-path state (connection bindings, turn markers): a conflict
 * or a missing item passes through for the caller to decide; any other failure (DynamoDB
 * unreachable, throttled) becomes the retryable `StorageError` the client sees as
 * STORAGE_UNAVAILABLE, never an INTERNAL error.
 */
export async function storeCall<T>(call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (error) {
    if (error instanceof ConflictError || error instanceof NotFoundError) throw error;
    throw toStorageError(error);
  }
}
