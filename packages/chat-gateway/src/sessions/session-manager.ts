import type { AnalyticsRecorder } from '../analytics/analytics-recorder.js';
import type { ClientInfo, Identity, SessionRecord, SessionStore } from '../ports/session-store.js';
import { hashToken, newResumeToken, newSessionId, userIdOf } from './ids.js';
import {
  mayResume,
  reissueToken,
  resumeSession,
  type ResumeContext,
  type Resumed,
} from './session-resume.js';

export interface SessionManagerOptions {
  store: SessionStore;
  /** Minutes without activity after which a session is closed and cannot be resumed. Default 30. */
  timeoutMinutes?: number;
  /** Days a session record is kept after its last activity (its TTL). Default 30. */
  retentionDays?: number;
  events?: AnalyticsRecorder;
  /** Epoch milliseconds. */
  now?: () => number;
  /** Activity writes closer together than this are skipped. Default 5 000 ms. */
  activityWriteIntervalMs?: number;
  /**
   * Anonymous sessions all belong to one user, who may open them without a resume token (a
   * local gateway without sign-in: one person at the keyboard). Default false: without an
   * identity, only the token proves a session is yours.
   */
  anonymousOwner?: boolean;
}

/**
 * A session closed by the cleanup job. Its connections are the transport's to find (its
 * attached tabs): the record names only the last connection to resume it, which may have moved
 * on to another session.
 */
export interface ClosedSession {
  sessionId: string;
}

export interface CleanupResult {
  count: number;
  closed: ClosedSession[];
}

/** Sessions whose last activity write is remembered (to skip the next); oldest forgotten first. */
const MAX_REMEMBERED_WRITES = 10_000;

/**
 * The design's SessionManager: creates sessions with a secret resume token (only its hash is
 * stored), tracks activity and closes idle sessions; re-attaching after a reconnect (resume and
 * ownership) is `session-resume.ts`. The record's `connectionId` is the connection that last
 * opened or resumed the session; who is attached now is the transport's to know.
 */
export class SessionManager {
  private readonly store: SessionStore;
  private readonly timeoutMs: number;
  private readonly retentionSeconds: number;
  private readonly events: AnalyticsRecorder | undefined;
  private readonly now: () => number;
  private readonly activityIntervalMs: number;
  private readonly lastWrites = new Map<string, number>();
  private readonly resumeContext: ResumeContext;

  constructor(options: SessionManagerOptions) {
    this.store = options.store;
    this.timeoutMs = (options.timeoutMinutes ?? 30) * 60_000;
    this.retentionSeconds = (options.retentionDays ?? 30) * 86_400;
    this.events = options.events;
    this.now = options.now ?? Date.now;
    this.activityIntervalMs = options.activityWriteIntervalMs ?? 5_000;
    this.resumeContext = {
      store: this.store,
      events: this.events,
      now: this.now,
      anonymousOwner: options.anonymousOwner ?? false,
      isLive: (session, now) => this.isLive(session, now),
      ttlFrom: (now) => this.ttlFrom(now),
      rememberWrite: (sessionId, at) => this.rememberWrite(sessionId, at),
    };
  }

  async createSession(
    clientInfo: ClientInfo,
    connectionId: string,
  ): Promise<{ session: SessionRecord; resumeToken: string }> {
    const now = this.now();
    const resumeToken = newResumeToken();
    const info = Object.fromEntries(
      Object.entries(clientInfo).filter(([, value]) => value !== undefined),
    ) as ClientInfo;
    const session: SessionRecord = {
      sessionId: newSessionId(),
      createdAt: new Date(now).toISOString(),
      lastActivity: new Date(now).toISOString(),
      isActive: true,
      ...(Object.keys(info).length > 0 && { clientInfo: info }),
      ttl: this.ttlFrom(now),
      resumeTokenHash: hashToken(resumeToken),
      connectionId,
    };
    await this.store.createSession(session);
    this.rememberWrite(session.sessionId, now);
    await this.events?.sessionCreated(
      session.sessionId,
      info.identity ? { userId: userIdOf(info.identity) } : {},
    );
    return { session, resumeToken };
  }

  /**
   * Re-attaches a session to `connectionId` (named in the record as its last connection) and
   * rotates its resume token (the one presented works once). See `resumeSession`.
   */
  resume(
    sessionId: string,
    resumeToken: string | undefined,
    connectionId: string,
    identity?: Identity,
  ): Promise<Resumed> {
    return resumeSession(this.resumeContext, sessionId, resumeToken, connectionId, identity);
  }

  /** Whether `resume` would accept these credentials now; changes nothing. See `mayResume`. */
  mayResume(
    sessionId: string,
    resumeToken: string | undefined,
    identity?: Identity,
  ): Promise<boolean> {
    return mayResume(this.resumeContext, sessionId, resumeToken, identity);
  }

  /** A new resume token while `connectionId` is still the session's last one; see `reissueToken`. */
  reissueToken(sessionId: string, connectionId: string): Promise<{ resumeToken: string }> {
    return reissueToken(this.resumeContext, sessionId, connectionId);
  }

  getSession(sessionId: string): Promise<SessionRecord | undefined> {
    return this.store.getSession(sessionId);
  }

  /** Marks the session active now. Cheap: skipped when the last write was moments ago. */
  async updateActivity(sessionId: string): Promise<void> {
    const now = this.now();
    const last = this.lastWrites.get(sessionId);
    if (last !== undefined && now >= last && now - last < this.activityIntervalMs) return;
    this.rememberWrite(sessionId, now);
    try {
      // No condition (one write): a closed session stays closed, as isActive is not touched.
      await this.store.updateSession(sessionId, {
        lastActivity: new Date(now).toISOString(),
        ttl: this.ttlFrom(now),
      });
    } catch (error) {
      this.lastWrites.delete(sessionId);
      throw error;
    }
  }

  /** Closes an active session for good. False when it was unknown or already closed. */
  async closeSession(sessionId: string, reason: string): Promise<boolean> {
    const closed = await this.store.updateSession(
      sessionId,
      { isActive: false, closedAt: new Date(this.now()).toISOString(), closeReason: reason },
      { isActive: true },
    );
    this.lastWrites.delete(sessionId);
    if (closed) await this.events?.sessionClosed(sessionId, reason);
    return closed !== undefined;
  }

  /**
   * Closes every active session idle longer than the timeout, page by page. A session that
   * became active again between the scan and the write is left alone. Returns the sessions
   * closed and their connections; `onClosed` hears of each one as it closes, so its socket can
   * be closed at once rather than after a long pass.
   */
  async cleanupInactiveSessions(
    onClosed?: (session: ClosedSession) => Promise<void>,
  ): Promise<CleanupResult> {
    const now = this.now();
    const closedAt = new Date(now).toISOString();
    const closed: ClosedSession[] = [];
    let cursor: string | undefined;
    do {
      const page = await this.store.scanSessions(cursor);
      for (const session of page.items) {
        if (!session.isActive || !this.isIdle(session, now)) continue;
        const updated = await this.store.updateSession(
          session.sessionId,
          { isActive: false, closedAt, closeReason: 'inactive' },
          { isActive: true, lastActivity: session.lastActivity },
        );
        if (!updated) continue;
        this.lastWrites.delete(session.sessionId);
        const one: ClosedSession = { sessionId: session.sessionId };
        closed.push(one);
        await onClosed?.(one);
        await this.events?.sessionClosed(session.sessionId, 'inactive');
      }
      cursor = page.cursor;
    } while (cursor !== undefined);
    return { count: closed.length, closed };
  }

  private isLive(session: SessionRecord, now: number): boolean {
    return session.isActive && !this.isIdle(session, now) && session.ttl > now / 1000;
  }

  /** Idle past the timeout; an unreadable timestamp counts as idle. */
  private isIdle(session: SessionRecord, now: number): boolean {
    const last = Date.parse(session.lastActivity);
    return Number.isNaN(last) || now - last > this.timeoutMs;
  }

  private ttlFrom(now: number): number {
    return Math.floor(now / 1000) + this.retentionSeconds;
  }

  private rememberWrite(sessionId: string, at: number): void {
    this.lastWrites.delete(sessionId);
    this.lastWrites.set(sessionId, at);
    if (this.lastWrites.size > MAX_REMEMBERED_WRITES) {
      const oldest = this.lastWrites.keys().next().value;
      if (oldest !== undefined) this.lastWrites.delete(oldest);
    }
  }
}
