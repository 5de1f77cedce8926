import type { Server } from '@modelcontextprotocol/sdk/server/index.js';
import type { Logger } from '../logger.js';
import { SERVER_NAME } from '../version.js';

/**
 * The server's log, with its warnings and errors also sent to the client as
 * `notifications/message` (the client's `logging/setLevel` filters them; the SDK applies it).
 * The client gets the message and its plain fields, never `error` (a stack, paths).
 */
export function clientLogger(logger: Logger, server: Server): Logger {
  const forward = (level: 'warning' | 'error', msg: string, fields?: Record<string, unknown>) => {
    const safe = { ...fields };
    delete safe.error;
    // Not connected yet, or gone: the server log still has it.
    server
      .sendLoggingMessage({ level, logger: SERVER_NAME, data: { message: msg, ...safe } })
      .catch(() => undefined);
  };
  return {
    debug: (msg, fields) => logger.debug(msg, fields),
    info: (msg, fields) => logger.info(msg, fields),
    warn: (msg, fields) => {
      logger.warn(msg, fields);
      forward('warning', msg, fields);
    },
    error: (msg, fields) => {
      logger.error(msg, fields);
      forward('error', msg, fields);
    },
  };
}
