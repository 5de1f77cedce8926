import { ChatError } from '../../errors.js';
import type {
  AnalyticsRecord,
  ConversationQuery,
  ConversationRecord,
  ConversationSummary,
  MessageClaim,
  Page,
  SessionCondition,
  SessionRecord,
  SessionStore,
} from '../../ports/session-store.js';

/** Sessions whose claims are held in memory; past this the oldest claims go through the store. */
const MAX_SESSIONS = 20_000;

/**
 * Message claims decided in memory and written through, for a store that this process alone
 * writes (the embedded store holds a lock on its data directory). The client message ids of a
 * session created here are all known here, so claiming one needs no store round trip before
 * the answer starts streaming. The claim marker is still written: the user message waits for
 * it, and so does everything with an effect (tool calls and the stored answer wait for the user
 * message). Sessions this process did not create (resumed after a restart) claim through the
 * store, as on DynamoDB, where several processes write.
 */
export class WriteThroughClaims implements SessionStore {
  /** Per session created here: each claimed id and its marker write. Oldest session first. */
  private readonly claims = new Map<string, Map<string, Promise<MessageClaim>>>();

  constructor(
    private readonly inner: SessionStore,
    private readonly maxSessions = MAX_SESSIONS,
  ) {}

  async createSession(session: SessionRecord): Promise<void> {
    await this.inner.createSession(session);
    this.claims.set(session.sessionId, new Map());
    if (this.claims.size > this.maxSessions) {
      // Forgetting is safe: the markers are in the store, where the next claim looks.
      this.claims.delete(this.claims.keys().next().value as string);
    }
  }

  claimMessage(sessionId: string, clientMessageId: string): Promise<MessageClaim> {
    const claims = this.claims.get(sessionId);
    if (!claims) return this.inner.claimMessage(sessionId, clientMessageId);
    if (claims.has(clientMessageId)) return Promise.resolve({ claimed: false });
    const written = this.inner.claimMessage(sessionId, clientMessageId);
    written.catch(() => undefined); // awaited by the user message's write
    claims.set(clientMessageId, written);
    return Promise.resolve({ claimed: true });
  }

  async releaseMessage(sessionId: string, clientMessageId: string): Promise<void> {
    const claims = this.claims.get(sessionId);
    const written = claims?.get(clientMessageId);
    // A marker another writer holds is theirs to keep (a failed write may have left ours).
    const ours = written
      ? await written.then(
          (c) => c.claimed,
          () => true,
        )
      : true;
    if (!ours) return;
    try {
      await this.inner.releaseMessage(sessionId, clientMessageId);
    } finally {
      // Should the marker outlive a failed release, the next claim's write finds it.
      claims?.delete(clientMessageId);
    }
  }

  async renewMessageClaim(sessionId: string, clientMessageId: string): Promise<void> {
    await this.claims
      .get(sessionId)
      ?.get(clientMessageId)
      ?.catch(() => undefined);
    await this.inner.renewMessageClaim(sessionId, clientMessageId);
  }

  async completeMessage(sessionId: string, clientMessageId: string): Promise<void> {
    // After the marker's own write, or that write could land over the completion.
    await this.claims
      .get(sessionId)
      ?.get(clientMessageId)
      ?.catch(() => undefined);
    await this.inner.completeMessage(sessionId, clientMessageId);
  }

  async appendMessage(message: ConversationRecord): Promise<void> {
    const { sessionId, clientMessageId } = message;
    const written =
      message.messageType === 'user' && clientMessageId !== undefined
        ? this.claims.get(sessionId)?.get(clientMessageId)
        : undefined;
    // The marker first: a user message (and so any effect of its turn) is never stored unclaimed.
    if (written && !(await written).claimed) {
      throw new ChatError(
        'DUPLICATE_MESSAGE',
        `Message ${clientMessageId} was already received; it is answered once (see the history).`,
        false,
      );
    }
    await this.inner.appendMessage(message);
  }

  async updateSession(
    sessionId: string,
    changes: Partial<Omit<SessionRecord, 'sessionId'>>,
    condition?: SessionCondition,
  ): Promise<SessionRecord | undefined> {
    const updated = await this.inner.updateSession(sessionId, changes, condition);
    // A closed session takes no more messages; its claims stay in the store.
    if (updated?.isActive === false) this.claims.delete(sessionId);
    return updated;
  }

  getSession(sessionId: string): Promise<SessionRecord | undefined> {
    return this.inner.getSession(sessionId);
  }

  scanSessions(cursor?: string): Promise<Page<SessionRecord>> {
    return this.inner.scanSessions(cursor);
  }

  setFeedback(
    sessionId: string,
    messageId: string,
    feedback: NonNullable<ConversationRecord['feedback']>,
  ): Promise<boolean> {
    return this.inner.setFeedback(sessionId, messageId, feedback);
  }

  listMessages(
    sessionId: string,
    options: { before?: string; limit: number },
  ): Promise<ConversationRecord[]> {
    return this.inner.listMessages(sessionId, options);
  }

  listConversations(owner: string, query: ConversationQuery): Promise<Page<ConversationSummary>> {
    return this.inner.listConversations(owner, query);
  }

  renameConversation(owner: string, sessionId: string, title: string): Promise<boolean> {
    return this.inner.renameConversation(owner, sessionId, title);
  }

  async deleteConversation(owner: string, sessionId: string): Promise<boolean> {
    const deleted = await this.inner.deleteConversation(owner, sessionId);
    if (deleted) this.claims.delete(sessionId);
    return deleted;
  }

  recordEvent(event: AnalyticsRecord): Promise<void> {
    return this.inner.recordEvent(event);
  }

  listEvents(date: string, cursor?: string): Promise<Page<AnalyticsRecord>> {
    return this.inner.listEvents(date, cursor);
  }
}
