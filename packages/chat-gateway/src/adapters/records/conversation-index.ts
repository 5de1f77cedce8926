import type { RecordItem, RecordStore, TableSpec } from 'chatbot-mcp-server/core';
import type { ConversationRecord } from '../../ports/session-store.js';
import { toTitle, withQuestion, type ConversationEntry } from '../../sessions/conversation-list.js';
import { MARKER_PREFIX, fromItem } from './session-items.js';
import { guarded, isConflict, isNotFound, toStorageError } from './storage-errors.js';

/**
 * Each owner's list of conversations lives in the conversations table itself, under the
 * partition `~owner#<owner>` with one item per session (sort key: the session id). Listing an
 * owner's conversations is then one query of that partition, never a scan of the table, and
 * needs no secondary index (the tables file and the record store port have none). No session id
 * starts with `~`, so the partition is never a session's.
 */
export const OWNER_PARTITION_PREFIX = `${MARKER_PREFIX}owner#`;

/** Read-modify-write attempts of one entry before giving up (two writers of one session). */
const MAX_ATTEMPTS = 5;
/** Pages of an owner's partition read for one list (100 each): 5,000 conversations. */
const MAX_OWNER_PAGES = 50;
/** Pages of one conversation's items deleted before giving up (100 items each). */
const MAX_DELETE_PAGES = 1_000;

export interface ConversationIndexOptions {
  store: RecordStore;
  /** The conversations table. */
  table: TableSpec;
  pageSize: number;
  /** Epoch seconds at which an entry written now expires (the history's retention). */
  expiresAt: () => number;
}

export class ConversationIndex {
  constructor(private readonly options: ConversationIndexOptions) {}

  /** Counts a stored message in its conversation; the first question names it. */
  async noteMessage(owner: string, message: ConversationRecord): Promise<void> {
    const { store, table } = this.options;
    const key = this.keyOf(owner, message.sessionId);
    for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
      const current = await guarded(() => store.get(table, key));
      const question = message.messageType === 'user' ? message.content : undefined;
      try {
        if (!current) {
          await store.create(table, {
            ...key,
            title: question === undefined ? '' : toTitle(question),
            updatedAt: message.timestamp,
            messages: 1,
            searchText: question === undefined ? '' : withQuestion('', question),
            ttl: this.options.expiresAt(),
            version: 1,
          });
          return;
        }
        const entry = toEntry(current);
        await store.update(
          table,
          key,
          {
            messages: entry.messages + 1,
            updatedAt: message.timestamp > entry.updatedAt ? message.timestamp : entry.updatedAt,
            ttl: this.options.expiresAt(),
            ...(question !== undefined && {
              searchText: withQuestion(entry.searchText, question),
              ...(entry.title === '' && { title: toTitle(question) }),
            }),
          },
          current.version as number,
        );
        return;
      } catch (error) {
        if (!isConflict(error) && !isNotFound(error)) throw toStorageError(error);
      }
    }
  }

  /** Every conversation of the owner (one query of their partition, page by page). */
  async list(owner: string): Promise<ConversationEntry[]> {
    const { store, table } = this.options;
    const entries: ConversationEntry[] = [];
    let cursor: string | undefined;
    for (let page = 0; page < MAX_OWNER_PAGES; page++) {
      const out = await guarded(() =>
        store.list(table, {
          partitionKeyValue: OWNER_PARTITION_PREFIX + owner,
          limit: this.options.pageSize,
          ...(cursor !== undefined && { cursor }),
        }),
      );
      entries.push(...out.items.map(toEntry));
      cursor = out.cursor;
      if (cursor === undefined) break;
    }
    return entries;
  }

  async has(owner: string, sessionId: string): Promise<boolean> {
    const { store, table } = this.options;
    return (await guarded(() => store.get(table, this.keyOf(owner, sessionId)))) !== undefined;
  }

  async rename(owner: string, sessionId: string, title: string): Promise<boolean> {
    const { store, table } = this.options;
    try {
      await store.update(table, this.keyOf(owner, sessionId), { title: toTitle(title) });
      return true;
    } catch (error) {
      if (isNotFound(error)) return false;
      throw toStorageError(error);
    }
  }

  async remove(owner: string, sessionId: string): Promise<void> {
    await deleteIfPresent(this.options.store, this.options.table, this.keyOf(owner, sessionId));
  }

  /** Deletes every item of a session's partition: its messages and its markers. */
  async deleteSessionItems(sessionId: string): Promise<void> {
    const { store, table, pageSize } = this.options;
    for (let page = 0; page < MAX_DELETE_PAGES; page++) {
      const out = await guarded(() =>
        store.list(table, { partitionKeyValue: sessionId, limit: pageSize }),
      );
      if (out.items.length === 0) return;
      for (const item of out.items)
        await deleteIfPresent(store, table, { sessionId, messageId: String(item.messageId) });
    }
  }

  private keyOf(owner: string, sessionId: string): { sessionId: string; messageId: string } {
    return { sessionId: OWNER_PARTITION_PREFIX + owner, messageId: sessionId };
  }
}

/** Deletes a record; one already gone (or expired) is not an error. */
export async function deleteIfPresent(
  store: RecordStore,
  table: TableSpec,
  key: Record<string, string>,
): Promise<void> {
  try {
    await store.delete(table, key);
  } catch (error) {
    if (!isNotFound(error)) throw toStorageError(error);
  }
}

function toEntry(item: RecordItem): ConversationEntry {
  const e = fromItem<Record<string, unknown>>(item);
  return {
    sessionId: String(e.messageId),
    title: typeof e.title === 'string' ? e.title : '',
    updatedAt: typeof e.updatedAt === 'string' ? e.updatedAt : '',
    messages: typeof e.messages === 'number' ? e.messages : 0,
    searchText: typeof e.searchText === 'string' ? e.searchText : '',
  };
}
