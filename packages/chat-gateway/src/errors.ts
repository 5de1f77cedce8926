/**
 * The gateway's error hierarchy (the design's `ChatbotError` family). Every error a user can
 * hit has a stable `code`, a message that says what happened and what to do, and a
 * `retryable` flag. The core maps them to `error` frames in exactly one place; details go to
 * the log with a reference, never to the client.
 */
export class ChatError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly retryable: boolean,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = new.target.name;
  }
}

/** A frame that is not JSON, breaks the schema, or is too large. The connection stays usable. */
export class InvalidFrameError extends ChatError {
  constructor(message: string) {
    super('INVALID_FRAME', message, false);
  }
}

export class SessionNotFoundError extends ChatError {
  constructor(
    message = 'This session does not exist, has expired, or the resume token does not match; start a new session.',
  ) {
    super('SESSION_NOT_FOUND', message, false);
  }
}

export class ModelUnavailableError extends ChatError {
  constructor(message: string, retryable: boolean, options?: { cause?: unknown }) {
    super('MODEL_UNAVAILABLE', message, retryable, options);
  }
}

export class McpToolError extends ChatError {
  constructor(
    toolName: string,
    message: string,
    retryable: boolean,
    options?: { cause?: unknown },
  ) {
    super('MCP_TOOL_ERROR', `MCP tool ${toolName} failed: ${message}`, retryable, options);
  }
}

export class RateLimitedError extends ChatError {
  constructor(message: string) {
    super('RATE_LIMITED', message, true);
  }
}

/** Default cap of connections (tabs, windows) attached to one session at once. */
export const MAX_SESSION_CONNECTIONS = 8;

/** A resume would attach one connection more than a session may have. */
export class SessionFullError extends ChatError {
  constructor(max: number) {
    super(
      'SESSION_FULL',
      `This conversation is open in ${max} tabs or windows already, the most one conversation may have; close one of them and resume again.`,
      false,
    );
  }
}

/** The store behind sessions and history failed; nothing half-written is left. */
export class StorageError extends ChatError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('STORAGE_UNAVAILABLE', message, true, options);
  }
}

/** The client is gone (socket closed, API Gateway `GoneException`): stop the turn. */
export class ClientGoneError extends ChatError {
  constructor(connectionId: string) {
    super('CLIENT_GONE', `connection ${connectionId} is gone`, false);
  }
}

/** An answer whose client went away and did not come back in time: stopped as a cancel is. */
export class DetachedError extends ChatError {
  constructor(seconds: number) {
    super(
      'DETACHED',
      `The answer was stopped ${seconds} s after the connection closed because no client came back; what it said so far is kept. Send the message again for a full answer.`,
      false,
    );
  }
}

/** Start-up configuration is wrong; the message names the variable or flag. */
export class GatewayConfigError extends ChatError {
  constructor(message: string) {
    super('CONFIG', message, false);
  }
}
