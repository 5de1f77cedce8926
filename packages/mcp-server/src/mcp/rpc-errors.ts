import { randomUUID } from 'node:crypto';
import { ErrorCode } from '@modelcontextprotocol/sdk/types.js';
import { AppError } from '../errors.js';
import { errorFields, type Logger } from '../logger.js';

/** The MCP spec's code for a resource that does not exist. */
export const RESOURCE_NOT_FOUND = -32002;

/** A plain error with a JSON-RPC code: McpError would prefix its own text to the message. */
export function rpcError(code: number, message: string): Error & { code: number } {
  return Object.assign(new Error(message), { code });
}

/**
 * Errors of resources, prompts and completions as JSON-RPC errors (tools answer with results
 * instead), the code first in the message as in tool results. Anything unexpected is logged and
 * reported by reference only: its message may name paths or hosts.
 */
export function toRpcError(
  error: unknown,
  logger: Logger,
  notFoundCode: number = ErrorCode.InvalidParams,
): Error {
  if (error instanceof AppError) {
    const message = `${error.code}: ${error.message}`;
    if (error.code === 'NOT_FOUND') return rpcError(notFoundCode, message);
    if (error.code === 'VALIDATION') return rpcError(ErrorCode.InvalidParams, message);
    if (error.cause !== undefined) logger.warn('upstream cause', errorFields(error.cause));
    return rpcError(ErrorCode.InternalError, message);
  }
  if (error instanceof Error && typeof (error as { code?: unknown }).code === 'number')
    return error;
  const reference = randomUUID().slice(0, 8);
  logger.error('request failed', { reference, ...errorFields(error) });
  return rpcError(
    ErrorCode.InternalError,
    `INTERNAL: the request failed unexpectedly; if it persists report reference ${reference} (the details are in the server log)`,
  );
}
