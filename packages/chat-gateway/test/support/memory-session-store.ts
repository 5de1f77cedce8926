import {
  conversationOwner,
  type AnalyticsRecord,
  type ConversationQuery,
  type ConversationRecord,
  type ConversationSummary,
  type MessageClaim,
  type Page,
  type SessionCondition,
  type SessionRecord,
  type SessionStore,
} from '../../src/ports/session-store.js';
import {
  pageOf,
  toTitle,
  withQuestion,
  type ConversationEntry,
} from '../../src/sessions/conversation-list.js';

/**
 * A SessionStore in memory, for tests of the core and engine that are not about storage (the
 * real adapter has its own contract suite on dynalite and DynamoDB Local).
 */
export class MemorySessionStore implements SessionStore {
  readonly sessions = new Map<string, SessionRecord>();
  readonly messages = new Map<string, ConversationRecord[]>();
  readonly claims = new Set<string>();
  readonly events: AnalyticsRecord[] = [];
  /** owner → sessionId → its entry in the owner's list. */
  readonly conversations = new Map<string, Map<string, ConversationEntry>>();

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
    if (list.some((m) => m.messageId === message.messageId)) return Promise.resolve();
    list.push({ ...message });
    list.sort((a, b) => (a.messageId < b.messageId ? -1 : 1));
    this.messages.set(message.sessionId, list);
    const session = this.sessions.get(message.sessionId);
    if (session) this.noteMessage(conversationOwner(session.clientInfo?.identity), message);
    return Promise.resolve();
  }
  private noteMessage(owner: string, message: ConversationRecord): void {
    const entries = this.conversations.get(owner) ?? new Map<string, ConversationEntry>();
    this.conversations.set(owner, entries);
    const question = message.messageType === 'user' ? message.content : undefined;
    const entry = entries.get(message.sessionId) ?? {
      sessionId: message.sessionId,
      title: '',
      updatedAt: message.timestamp,
      messages: 0,
      searchText: '',
    };
    entry.messages += 1;
    if (message.timestamp > entry.updatedAt) entry.updatedAt = message.timestamp;
    if (question !== undefined) {
      entry.searchText = withQuestion(entry.searchText, question);
      if (entry.title === '') entry.title = toTitle(question);
    }
    entries.set(message.sessionId, entry);
  }
  // eslint-disable-next-line @typescript-eslint/require-await -- a bad cursor rejects, as in the adapter
  async listConversations(
    owner: string,
    query: ConversationQuery,
  ): Promise<Page<ConversationSummary>> {
    return pageOf([...(this.conversations.get(owner)?.values() ?? [])], query);
  }
  renameConversation(owner: string, sessionId: string, title: string): Promise<boolean> {
    const entry = this.conversations.get(owner)?.get(sessionId);
    if (entry) entry.title = toTitle(title);
    return Promise.resolve(entry !== undefined);
  }
  deleteConversation(owner: string, sessionId: string): Promise<boolean> {
    if (!this.conversations.get(owner)?.delete(sessionId)) return Promise.resolve(false);
    this.messages.delete(sessionId);
    this.sessions.delete(sessionId);
    for (const key of this.claims)
      if (key.startsWith(`${sessionId}\u0000`)) this.claims.delete(key);
    return Promise.resolve(true);
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
