import {
  ConflictError,
  NotFoundError,
  type RecordStore,
  type TableSpec,
} from 'chatbot-mcp-server/core';
import { SessionConnections } from './aws-session-connections.js';
import { storeCall } from './aws-store-errors.js';

export interface ConnectionBinding {
  sessionId: string;
  /** `$disconnect` ran: the turn posting to this connection stops. */
  gone: boolean;
}

/** API Gateway closes a connection after 2 hours; the binding outlives it a little. */
const BINDING_TTL_SECONDS = 3 * 3600;

/**
 * Which session an API Gateway connection speaks for (the `$default` route gets only the
 * connection id). One item per connection in the conversations table, partition
 * `conn#<connectionId>`, sort key `~binding`: not in the sessions table, whose scan is the
 * cleanup job's list of sessions, and never under a real session's partition.
 */
export class ConnectionBindings {
  private readonly nowSeconds: () => number;
  /** The other way round: each session's attached connections (its tabs). */
  readonly attached: SessionConnections;

  constructor(
    private readonly store: RecordStore,
    private readonly conversations: TableSpec,
    options: { nowSeconds?: () => number } = {},
  ) {
    this.nowSeconds = options.nowSeconds ?? (() => Math.floor(Date.now() / 1000));
    this.attached = new SessionConnections(store, conversations, options);
  }

  async bind(connectionId: string, sessionId: string): Promise<void> {
    const key = this.key(connectionId);
    const fields = {
      boundSessionId: sessionId,
      gone: false,
      [this.conversations.ttlAttribute]: this.nowSeconds() + BINDING_TTL_SECONDS,
    };
    try {
      await storeCall(() =>
        this.store.create(this.conversations, { ...key, ...fields, version: 1 }),
      );
    } catch (error) {
      if (!(error instanceof ConflictError)) throw error;
      await storeCall(() => this.store.update(this.conversations, key, fields));
    }
  }

  async get(connectionId: string): Promise<ConnectionBinding | undefined> {
    const item = await storeCall(() => this.store.get(this.conversations, this.key(connectionId)));
    if (typeof item?.boundSessionId !== 'string') return undefined;
    return { sessionId: item.boundSessionId, gone: item.gone === true };
  }

  /** Returns the session the connection was bound to, if any. */
  async markGone(connectionId: string): Promise<string | undefined> {
    try {
      const item = await storeCall(() =>
        this.store.update(this.conversations, this.key(connectionId), {
          gone: true,
        }),
      );
      return typeof item.boundSessionId === 'string' ? item.boundSessionId : undefined;
    } catch (error) {
      if (error instanceof NotFoundError) return undefined;
      throw error;
    }
  }

  private key(connectionId: string): Record<string, string> {
    const sortKey = this.conversations.sortKey;
    if (!sortKey)
      throw new Error(
        `table "${this.conversations.alias}" needs a sort key for connection bindings`,
      );
    return {
      [this.conversations.partitionKey.name]: `conn#${connectionId}`,
      [sortKey.name]: '~binding',
    };
  }
}
