import type { RecordStore, TableSpec } from 'chatbot-mcp-server/core';
import { ChatError, StorageError } from '../../errors.js';
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
} from '../../ports/session-store.js';
import { pageOf } from '../../sessions/conversation-list.js';
import { ConversationIndex, deleteIfPresent } from './conversation-index.js';
import {
  MARKER_PREFIX,
  claimMarkerId,
  fromItem,
  isMarker,
  matchesCondition,
  toChanges,
  toNewItem,
} from './session-items.js';
import { MessageClaims, type MessageClaimsOptions } from './message-claims.js';
import { guarded, isConflict, isNotFound, toStorageError } from './storage-errors.js';

export interface RecordSessionStoreOptions {
  store: RecordStore;
  tables: { sessions: TableSpec; conversations: TableSpec; analytics: TableSpec };
  /** How long a claim marker lives (the history's retention). Default 30 days. */
  retentionDays?: number;
  /** Records per page of `scanSessions` and `listEvents`. Default 100. */
  pageSize?: number;
  /** Epoch seconds, for the claim markers' TTL. */
  nowSeconds?: () => number;
  /** Claim owners and leases: see `MessageClaims` (owner defaults to this process). */
  claims?: Pick<MessageClaimsOptions, 'owner' | 'leaseMs' | 'exclusive' | 'now'>;
}

/** Conditional session updates retried after losing a version race, before giving up. */
const MAX_UPDATE_ATTEMPTS = 5;
/** Store pages read to fill one history page that TTL filtering thinned. */
const MAX_HISTORY_PAGES = 10;
/** Session owners remembered (so a message does not re-read its session); oldest dropped. */
const MAX_REMEMBERED_OWNERS = 10_000;

/**
 * The session store on the record store port: the same adapter serves the embedded store and
 * DynamoDB. Every failure of the store becomes a retryable `StorageError`.
 */
export class RecordSessionStore implements SessionStore {
  private readonly store: RecordStore;
  private readonly tables: RecordSessionStoreOptions['tables'];
  private readonly retentionSeconds: number;
  private readonly pageSize: number;
  private readonly nowSeconds: () => number;
  private readonly claims: MessageClaims;
  private readonly index: ConversationIndex;
  private readonly owners = new Map<string, string>();

  constructor(options: RecordSessionStoreOptions) {
    this.store = options.store;
    this.tables = options.tables;
    this.retentionSeconds = (options.retentionDays ?? 30) * 86_400;
    this.pageSize = options.pageSize ?? 100;
    this.nowSeconds = options.nowSeconds ?? (() => Math.floor(Date.now() / 1000));
    this.claims = new MessageClaims({
      store: this.store,
      conversations: this.tables.conversations,
      ...options.claims,
      expiresAt: () => this.nowSeconds() + this.retentionSeconds,
    });
    this.index = new ConversationIndex({
      store: this.store,
      table: this.tables.conversations,
      pageSize: this.pageSize,
      expiresAt: () => this.nowSeconds() + this.retentionSeconds,
    });
  }

  async createSession(session: SessionRecord): Promise<void> {
    try {
      await this.store.create(this.tables.sessions, toNewItem(session));
      this.rememberOwner(session.sessionId, conversationOwner(session.clientInfo?.identity));
    } catch (error) {
      // 128 random bits do not collide; this is a caller reusing an id.
      if (isConflict(error)) {
        throw new ChatError(
          'SESSION_EXISTS',
          'This session already exists; start a new one.',
          false,
        );
      }
      throw toStorageError(error);
    }
  }

  async getSession(sessionId: string): Promise<SessionRecord | undefined> {
    const item = await guarded(() => this.store.get(this.tables.sessions, { sessionId }));
    return item && fromItem<SessionRecord>(item);
  }

  async updateSession(
    sessionId: string,
    changes: Partial<Omit<SessionRecord, 'sessionId'>>,
    condition?: SessionCondition,
  ): Promise<SessionRecord | undefined> {
    const table = this.tables.sessions;
    const key = { sessionId };
    const values = toChanges(changes);
    for (let attempt = 0; attempt < MAX_UPDATE_ATTEMPTS; attempt++) {
      let expectedVersion: number | undefined;
      if (condition) {
        const current = await guarded(() => this.store.get(table, key));
        if (!current || !matchesCondition(fromItem(current), condition)) return undefined;
        // The condition holds at this version; the write applies only while it is current.
        if (typeof current.version !== 'number') return undefined;
        expectedVersion = current.version;
      }
      try {
        const updated = await this.store.update(table, key, values, expectedVersion);
        return fromItem<SessionRecord>(updated);
      } catch (error) {
        if (isNotFound(error)) return undefined;
        if (!(condition && isConflict(error))) throw toStorageError(error);
      }
    }
    throw new StorageError(
      'The session is being changed by several connections at once; retry in a moment.',
    );
  }

  async scanSessions(cursor?: string): Promise<Page<SessionRecord>> {
    const page = await guarded(() =>
      this.store.list(this.tables.sessions, {
        limit: this.pageSize,
        ...(cursor !== undefined && { cursor }),
      }),
    );
    return withCursor(
      page.items.map((item) => fromItem<SessionRecord>(item)),
      page.cursor,
    );
  }

  claimMessage(sessionId: string, clientMessageId: string): Promise<MessageClaim> {
    return this.claims.claim(sessionId, clientMessageId);
  }

  renewMessageClaim(sessionId: string, clientMessageId: string): Promise<void> {
    return this.claims.renew(sessionId, clientMessageId);
  }

  completeMessage(sessionId: string, clientMessageId: string): Promise<void> {
    return this.claims.complete(sessionId, clientMessageId);
  }

  async releaseMessage(sessionId: string, clientMessageId: string): Promise<void> {
    const key = { sessionId, messageId: claimMarkerId(clientMessageId) };
    try {
      await this.store.delete(this.tables.conversations, key);
    } catch (error) {
      if (!isNotFound(error)) throw toStorageError(error);
    }
  }

  async appendMessage(message: ConversationRecord): Promise<void> {
    try {
      await this.store.create(this.tables.conversations, toNewItem(message));
    } catch (error) {
      // The same message stored twice (a retried write) is one message.
      if (!isConflict(error)) throw toStorageError(error);
      return;
    }
    const owner = await this.ownerOf(message.sessionId);
    if (owner !== undefined) await this.index.noteMessage(owner, message);
  }

  async listConversations(
    owner: string,
    query: ConversationQuery,
  ): Promise<Page<ConversationSummary>> {
    return pageOf(await this.index.list(owner), query);
  }

  renameConversation(owner: string, sessionId: string, title: string): Promise<boolean> {
    return this.index.rename(owner, sessionId, title);
  }

  async deleteConversation(owner: string, sessionId: string): Promise<boolean> {
    if (!(await this.index.has(owner, sessionId))) return false;
    // Messages and markers first: should this stop half-way, the entry still lists it.
    await this.index.deleteSessionItems(sessionId);
    await deleteIfPresent(this.store, this.tables.sessions, { sessionId });
    this.owners.delete(sessionId);
    await this.index.remove(owner, sessionId);
    return true;
  }

  /** Whose the session is (see `conversationOwner`); undefined when it is gone. */
  private async ownerOf(sessionId: string): Promise<string | undefined> {
    const known = this.owners.get(sessionId);
    if (known !== undefined) return known;
    const session = await this.getSession(sessionId);
    if (!session) return undefined;
    const owner = conversationOwner(session.clientInfo?.identity);
    this.rememberOwner(sessionId, owner);
    return owner;
  }

  private rememberOwner(sessionId: string, owner: string): void {
    this.owners.set(sessionId, owner);
    if (this.owners.size > MAX_REMEMBERED_OWNERS)
      this.owners.delete(this.owners.keys().next().value as string);
  }

  async setFeedback(
    sessionId: string,
    messageId: string,
    feedback: NonNullable<ConversationRecord['feedback']>,
  ): Promise<boolean> {
    if (isMarker(messageId)) return false;
    const table = this.tables.conversations;
    const key = { sessionId, messageId };
    const item = await guarded(() => this.store.get(table, key));
    if (!item || item.messageType !== 'assistant') return false;
    try {
      await this.store.update(table, key, { feedback: withoutUndefinedFields(feedback) });
      return true;
    } catch (error) {
      if (isNotFound(error)) return false;
      throw toStorageError(error);
    }
  }

  async listMessages(
    sessionId: string,
    options: { before?: string; limit: number },
  ): Promise<ConversationRecord[]> {
    const messages: ConversationRecord[] = [];
    // Nothing sorts before the empty id (and DynamoDB refuses it as a key value).
    if (options.limit <= 0 || options.before === '') return messages;
    // Markers sort after every message: a bound at or below the prefix leaves them all out.
    const before =
      options.before !== undefined && options.before < MARKER_PREFIX
        ? options.before
        : MARKER_PREFIX;
    let cursor: string | undefined;
    for (let page = 0; page < MAX_HISTORY_PAGES && messages.length < options.limit; page++) {
      const out = await guarded(() =>
        this.store.list(this.tables.conversations, {
          partitionKeyValue: sessionId,
          limit: options.limit - messages.length,
          descending: true,
          sortKeyBefore: before,
          ...(cursor !== undefined && { cursor }),
        }),
      );
      for (const item of out.items) {
        if (!isMarker(item.messageId)) messages.push(fromItem<ConversationRecord>(item));
      }
      cursor = out.cursor;
      if (cursor === undefined) break;
    }
    return messages.slice(0, options.limit);
  }

  async recordEvent(event: AnalyticsRecord): Promise<void> {
    try {
      await this.store.create(this.tables.analytics, toNewItem(event));
    } catch (error) {
      if (!isConflict(error)) throw toStorageError(error);
    }
  }

  async listEvents(date: string, cursor?: string): Promise<Page<AnalyticsRecord>> {
    const page = await guarded(() =>
      this.store.list(this.tables.analytics, {
        partitionKeyValue: date,
        limit: this.pageSize,
        ...(cursor !== undefined && { cursor }),
      }),
    );
    return withCursor(
      page.items.map((item) => fromItem<AnalyticsRecord>(item)),
      page.cursor,
    );
  }
}

function withCursor<T>(items: T[], cursor: string | undefined): Page<T> {
  return cursor === undefined ? { items } : { items, cursor };
}

function withoutUndefinedFields(value: object): Record<string, unknown> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined));
}
