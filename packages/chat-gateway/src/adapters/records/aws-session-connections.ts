import {
  ConflictError,
  NotFoundError,
  type RecordItem,
  type RecordStore,
  type TableSpec,
} from 'chatbot-mcp-server/core';
import { SessionFullError, StorageError } from '../../errors.js';
import { storeCall } from './aws-store-errors.js';

/** Like a binding, the set outlives API Gateway's 2-hour connection limit a little. */
const SET_TTL_SECONDS = 3 * 3600;
/** Writers of one set that lose the optimistic race try again this many times. */
const ATTEMPTS = 8;

/**
 * The connections (tabs) attached to a session on the AWS path, which the engine function posts
 * each frame to. One item per session in the conversations table under the session's own
 * partition, sort key `~connections` (after every message id, like the turn markers, so the
 * history never lists it), holding the connection ids; written with optimistic concurrency
 * (`version`), since `$default`, `$disconnect` and the engine function change it apart.
 */
export class SessionConnections {
  private readonly nowSeconds: () => number;

  constructor(
    private readonly store: RecordStore,
    private readonly conversations: TableSpec,
    options: { nowSeconds?: () => number } = {},
  ) {
    this.nowSeconds = options.nowSeconds ?? (() => Math.floor(Date.now() / 1000));
  }

  /** The session's attached connection ids (none: the client is away). */
  async list(sessionId: string): Promise<string[]> {
    const item = await storeCall(() => this.store.get(this.conversations, this.key(sessionId)));
    return idsOf(item);
  }

  /** `SessionFullError` when the session already has `max` other connections. */
  async admit(sessionId: string, connectionId: string, max: number): Promise<void> {
    const ids = await this.list(sessionId);
    if (!ids.includes(connectionId) && ids.length >= max) throw new SessionFullError(max);
  }

  /** Attaches the connection (`SessionFullError` past `max`); returns the session's connections. */
  add(sessionId: string, connectionId: string, max: number): Promise<string[]> {
    return this.change(sessionId, (ids) => {
      if (ids.includes(connectionId)) return ids;
      if (ids.length >= max) throw new SessionFullError(max);
      return [...ids, connectionId];
    });
  }

  /** Detaches the connection (gone, or moved to another session); returns the ones left. */
  remove(sessionId: string, connectionId: string): Promise<string[]> {
    return this.change(sessionId, (ids) => ids.filter((id) => id !== connectionId));
  }

  private async change(sessionId: string, next: (ids: string[]) => string[]): Promise<string[]> {
    const key = this.key(sessionId);
    for (let attempt = 0; attempt < ATTEMPTS; attempt++) {
      const item = await storeCall(() => this.store.get(this.conversations, key));
      const before = idsOf(item);
      const after = next(before);
      // Nothing to change (also: no item to write for an empty set).
      if (sameIds(before, after) && (item || after.length === 0)) return after;
      const fields = {
        connectionIds: after,
        [this.conversations.ttlAttribute]: this.nowSeconds() + SET_TTL_SECONDS,
      };
      try {
        if (!item)
          await storeCall(() =>
            this.store.create(this.conversations, { ...key, ...fields, version: 1 }),
          );
        else
          await storeCall(() =>
            this.store.update(this.conversations, key, fields, Number(item.version)),
          );
        return after;
      } catch (error) {
        // Another handler changed the set meanwhile: read it again.
        if (!(error instanceof ConflictError || error instanceof NotFoundError)) throw error;
      }
    }
    throw new StorageError(
      `The connections of session ${sessionId} changed too often to be updated; try again.`,
    );
  }

  private key(sessionId: string): Record<string, string> {
    const sortKey = this.conversations.sortKey;
    if (!sortKey)
      throw new Error(
        `table "${this.conversations.alias}" needs a sort key for session connections`,
      );
    return { [this.conversations.partitionKey.name]: sessionId, [sortKey.name]: '~connections' };
  }
}

function idsOf(item: RecordItem | undefined): string[] {
  const ids = item?.connectionIds;
  return Array.isArray(ids) ? ids.filter((id): id is string => typeof id === 'string') : [];
}

function sameIds(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((id, i) => id === b[i]);
}
