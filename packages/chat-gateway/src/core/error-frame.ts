import { randomUUID } from 'node:crypto';
import { errorFields, type Logger } from 'chatbot-mcp-server/core';
import { ChatError, InvalidFrameError } from '../errors.js';
import type { ErrorFrame } from '../protocol/frames.js';

/**
 * The one mapping of errors to `error` frames, for every transport: a `ChatError` keeps its
 * code, message and `retryable`; anything else is INTERNAL with a short reference the user can
 * quote, its details (message, stack) only in the log.
 */
export function toErrorFrame(error: unknown, logger: Logger, replyTo?: string): ErrorFrame {
  if (error instanceof ChatError) {
    // Malformed frames are the client's noise, not worth a log line each.
    if (!(error instanceof InvalidFrameError))
      logger.info('request refused', { code: error.code, message: error.message });
    return {
      type: 'error',
      code: error.code,
      message: error.message,
      retryable: error.retryable,
      ...(replyTo && { replyTo }),
    };
  }
  const reference = randomUUID().slice(0, 8);
  logger.error('request failed', { reference, ...errorFields(error) });
  return {
    type: 'error',
    code: 'INTERNAL',
    message: `Something went wrong on the server; try again. If it persists, report reference ${reference}.`,
    retryable: true,
    ...(replyTo && { replyTo }),
  };
}
