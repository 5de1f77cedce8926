import type {
  AnalyticsRecord,
  ConversationRecord,
  MessageClaim,
  Page,
  SessionCondition,
  SessionRecord,
  SessionStore,
} from '../../src/ports/session-store.js';

/**
 * A SessionStore in memory, for tests of the core and engine that are not about storage (the
 * real adapter has its own contract suite on dynalite and DynamoDB Local).
 */
export class MemorySessionStore implements SessionStore {
  readonly sessions = new Map<string, SessionRecord>();
  readonly messages = new Map<string, ConversationRecord[]>();
  readonly claims = new Set<string>();
  readonly events: AnalyticsRecord[] = [];

  createSession(session: SessionRecord): Promise<void> {
    if (this.sessions.has(session.sessionId)) return Promise.reject(new Error('exists'));
    this.sessions.set(session.sessionId, { ...session });
    return Promise.resolve();
  }
  getSession(sessionId: string): Promise<SessionRecord | undefined> {
    const s = this.sessions.get(sessionId);
    return Promise.resolve(s && { ...s });
  }
  /** As the real adapter: undefined when the session is unknown or `condition` does not hold. */
  updateSession(
    sessionId: string,
    changes: Partial<SessionRecord>,
    condition?: SessionCondition,
  ): Promise<SessionRecord | undefined> {
    const s = this.sessions.get(sessionId);
    if (!s) return Promise.resolve(undefined);
    const holds = Object.entries(condition ?? {}).every(
      ([name, expected]) => expected === undefined || s[name as keyof SessionRecord] === expected,
    );
    if (!holds) return Promise.resolve(undefined);
    Object.assign(s, changes);
    return Promise.resolve({ ...s });
  }
  scanSessions(): Promise<Page<SessionRecord>> {
    return Promise.resolve({ items: [...this.sessions.values()].map((s) => ({ ...s })) });
  }
  claimMessage(sessionId: string, clientMessageId: string): Promise<MessageClaim> {
    const key = `${sessionId}\u0000${clientMessageId}`;
    if (this.claims.has(key)) return Promise.resolve({ claimed: false });
    this.claims.add(key);
    return Promise.resolve({ claimed: true });
  }
  renewMessageClaim(): Promise<void> {
    return Promise.resolve();
  }
  completeMessage(): Promise<void> {
    return Promise.resolve();
  }
  releaseMessage(sessionId: string, clientMessageId: string): Promise<void> {
    this.claims.delete(`${sessionId}\u0000${clientMessageId}`);
    return Promise.resolve();
  }
  appendMessage(message: ConversationRecord): Promise<void> {
    const list = this.messages.get(message.sessionId) ?? [];
    if (!list.some((m) => m.messageId === message.messageId)) list.push({ ...message });
    list.sort((a, b) => (a.messageId < b.messageId ? -1 : 1));
    this.messages.set(message.sessionId, list);
    return Promise.resolve();
  }
  setFeedback(
    sessionId: string,
    messageId: string,
    feedback: NonNullable<ConversationRecord['feedback']>,
  ): Promise<boolean> {
    const message = this.messages.get(sessionId)?.find((m) => m.messageId === messageId);
    if (message?.messageType !== 'assistant') return Promise.resolve(false);
    message.feedback = feedback;
    return Promise.resolve(true);
  }
  listMessages(
    sessionId: string,
    options: { before?: string; limit: number },
  ): Promise<ConversationRecord[]> {
    const list = [...(this.messages.get(sessionId) ?? [])].reverse();
    const older = options.before ? list.filter((m) => m.messageId < options.before!) : list;
    return Promise.resolve(older.slice(0, options.limit));
  }
  recordEvent(event: AnalyticsRecord): Promise<void> {
    this.events.push(event);
    return Promise.resolve();
  }
  listEvents(date: string): Promise<Page<AnalyticsRecord>> {
    return Promise.resolve({ items: this.events.filter((e) => e.date === date) });
  }
}
