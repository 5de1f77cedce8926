import type { AnalyticsEventType, QueryType, SessionStore } from '../ports/session-store.js';
import { createIdGenerator } from '../sessions/ids.js';

/** Where a dropped event is reported (the gateway's JSON logger fits). */
export interface AnalyticsLogger {
  warn(msg: string, fields?: Record<string, unknown>): void;
}

/** One answered turn. */
export interface QueryEventDetails {
  route: QueryType;
  /** Why the router chose the route. */
  reason: string;
  /** Milliseconds from the user message to the finished answer. */
  latencyMs: number;
  /** The model that answered; null for the offline engine. */
  modelId: string | null;
  finishReason: string;
  /** Tokens the model reported for the answer, when it did. */
  inputTokens?: number;
  outputTokens?: number;
}

/** One MCP tool call. */
export interface ToolUsageDetails {
  tool: string;
  isError: boolean;
  durationMs: number;
  /** For a destructive tool: whether the user approved it. */
  approved?: boolean;
}

export interface AnalyticsRecorderOptions {
  store: Pick<SessionStore, 'recordEvent'>;
  logger: AnalyticsLogger;
  /** Epoch milliseconds. */
  now?: () => number;
  /** Days an event is kept (its TTL). Default 30. */
  retentionDays?: number;
}

/**
 * Writes the analytics table's events. Analytics must never cost a user an answer: a failed
 * write is logged as a warning and the event dropped, and no method ever rejects.
 */
export class AnalyticsRecorder {
  private readonly store: Pick<SessionStore, 'recordEvent'>;
  private readonly logger: AnalyticsLogger;
  private readonly now: () => number;
  private readonly retentionSeconds: number;
  private readonly newId: () => string;
  /** The signed-in user of each live session, so that every event carries `userId`. */
  private readonly users = new Map<string, string>();

  constructor(options: AnalyticsRecorderOptions) {
    this.store = options.store;
    this.logger = options.logger;
    this.now = options.now ?? Date.now;
    this.retentionSeconds = (options.retentionDays ?? 30) * 86_400;
    this.newId = createIdGenerator(this.now);
  }

  query(sessionId: string, details: QueryEventDetails): Promise<void> {
    return this.record('query', sessionId, { ...details });
  }

  toolUsage(sessionId: string, details: ToolUsageDetails): Promise<void> {
    return this.record('tool_usage', sessionId, { ...details });
  }

  /** The user rated an answer; `hasReason` only, the reason itself stays with the message. */
  feedback(
    sessionId: string,
    details: { messageId: string; rating: 'up' | 'down'; hasReason: boolean },
  ): Promise<void> {
    return this.record('feedback', sessionId, { ...details });
  }

  sessionCreated(sessionId: string, details: Record<string, unknown> = {}): Promise<void> {
    if (typeof details.userId === 'string') this.identify(sessionId, details.userId);
    return this.record('session_created', sessionId, details);
  }

  async sessionClosed(sessionId: string, reason: string): Promise<void> {
    await this.record('session_closed', sessionId, { reason });
    this.users.delete(sessionId);
  }

  /** Later events of `sessionId` carry `userId` (also after a restart, once it is resumed). */
  identify(sessionId: string, userId: string): void {
    this.users.delete(sessionId);
    this.users.set(sessionId, userId);
    if (this.users.size > MAX_USERS) {
      const oldest = this.users.keys().next().value;
      if (oldest !== undefined) this.users.delete(oldest);
    }
  }

  private async record(
    eventType: AnalyticsEventType,
    sessionId: string,
    details: Record<string, unknown>,
  ): Promise<void> {
    try {
      const now = this.now();
      const timestamp = new Date(now).toISOString();
      await this.store.recordEvent({
        date: timestamp.slice(0, 10),
        eventId: this.newId(),
        eventType,
        sessionId,
        details: withoutUndefined({ userId: this.users.get(sessionId), ...details }),
        timestamp,
        ttl: Math.floor(now / 1000) + this.retentionSeconds,
      });
    } catch (error) {
      try {
        this.logger.warn('analytics event dropped', {
          eventType,
          sessionId,
          code: codeOf(error),
          reason: error instanceof Error ? error.message : String(error),
        });
      } catch {
        // A broken logger must not break the chat either.
      }
    }
  }
}

const MAX_USERS = 100_000;

function withoutUndefined(details: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(details).filter(([, v]) => v !== undefined));
}

function codeOf(error: unknown): string | undefined {
  const code = (error as { code?: unknown } | undefined)?.code;
  return typeof code === 'string' ? code : undefined;
}
