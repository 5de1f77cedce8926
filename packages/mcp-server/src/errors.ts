/**
 * One error hierarchy for the package. Every error a user can cause carries a stable `code`
 * and a message that says what was wrong and what to do. Transports map these to the wire in
 * exactly one place (`server.ts` for MCP tool results).
 */
export class AppError extends Error {
  constructor(
    readonly code: string,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = new.target.name;
  }
}

/** The input broke a rule; the message names the field and the rule. */
export class ValidationError extends AppError {
  constructor(message: string) {
    super('VALIDATION', message);
  }
}

export class NotFoundError extends AppError {
  constructor(message: string) {
    super('NOT_FOUND', message);
  }
}

/** A write lost a race or would overwrite existing data. Nothing was changed. */
export class ConflictError extends AppError {
  constructor(message: string) {
    super('CONFLICT', message);
  }
}

export class ReadOnlyError extends AppError {
  constructor(message: string) {
    super('READ_ONLY', message);
  }
}

/** The caller may not do this at all (e.g. anonymous on a table kept per person). */
export class ForbiddenError extends AppError {
  constructor(message: string) {
    super('FORBIDDEN', message);
  }
}

/** A backing service failed or refused; the message is safe to show, the cause is logged. */
export class UpstreamError extends AppError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('UPSTREAM', message, options);
  }
}

/** Start-up configuration is wrong: the message names the variable, file or field. */
export class ConfigError extends AppError {
  constructor(message: string) {
    super('CONFIG', message);
  }
}

/**
 * Another live process holds the data directory's embedded stores. A stdio server (or the chat
 * gateway) attaches to it over its socket instead; anything else reports the message.
 */
export class DataDirInUseError extends ConfigError {
  constructor(
    readonly dir: string,
    readonly pid: number,
    lockFile: string,
    /** Replaces the default message (a holder that cannot be attached to says why). */
    message?: string,
  ) {
    super(
      message ??
        `data directory ${dir} is in use by another chatbot-mcp-server (pid ${pid}, lock file ${lockFile}); stop that process, or give this one its own folder with --data-dir or CHATBOT_DATA_DIR`,
    );
  }
}
