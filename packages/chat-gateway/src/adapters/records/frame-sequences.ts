import type { RecordStore, TableSpec } from 'chatbot-mcp-server/core';
import type { FrameSequence } from '../../ports/frame-sequence.js';
import { MARKER_PREFIX } from './session-items.js';
import { guarded, isConflict, isNotFound, toStorageError } from './storage-errors.js';

/** The session's counter: one marker item `~seq` in its conversation (history skips markers). */
const SEQ_MARKER = `${MARKER_PREFIX}seq`;

interface CounterOptions {
  store: RecordStore;
  conversations: TableSpec;
  /** Epoch seconds at which the counter expires through the table's TTL (the history's retention). */
  expiresAt: () => number;
}

function counterKey(table: TableSpec, sessionId: string): Record<string, string> {
  const sortKey = table.sortKey;
  if (!sortKey) throw new Error(`table "${table.alias}" needs a sort key for frame counters`);
  return { [table.partitionKey.name]: sessionId, [sortKey.name]: SEQ_MARKER };
}

/**
 * For stores several processes write (AWS: the WebSocket function and the engine function both
 * send frames of a session): every seq is one atomic update of the counter item, whose
 * store-managed `version` (incremented by the store in the same write) is the seq.
 */
export class AtomicFrameSequence implements FrameSequence {
  constructor(private readonly options: CounterOptions) {}

  async next(sessionId: string): Promise<number> {
    const { store, conversations: table } = this.options;
    const key = counterKey(table, sessionId);
    try {
      return Number((await store.update(table, key, {})).version);
    } catch (error) {
      if (!isNotFound(error)) throw toStorageError(error);
    }
    try {
      const ttl = { [table.ttlAttribute]: this.options.expiresAt() };
      return Number((await store.create(table, { ...key, ...ttl, version: 1 })).version);
    } catch (error) {
      // Another function made it first: count on from there.
      if (!isConflict(error)) throw toStorageError(error);
      return Number((await guarded(() => store.update(table, key, {}))).version);
    }
  }

  async current(sessionId: string): Promise<number> {
    const { store, conversations: table } = this.options;
    const item = await guarded(() => store.get(table, counterKey(table, sessionId)));
    return item ? Number(item.version) : 0;
  }

  flush(): Promise<void> {
    return Promise.resolve();
  }
}

/**
 * For a store only this process writes (the local server): counted in memory, with blocks of
 * `block` numbers reserved in the store before they are used. A graceful shutdown writes the
 * exact count; after a crash the count resumes past the last reserved block (a gap, never a
 * number used twice).
 */
export class ReservingFrameSequence implements FrameSequence {
  private readonly sessions = new Map<string, Promise<{ last: number; reserved: number }>>();
  private readonly block: number;

  constructor(private readonly options: CounterOptions & { block?: number }) {
    this.block = options.block ?? 100;
  }

  async next(sessionId: string): Promise<number> {
    const state = await this.load(sessionId);
    state.last += 1;
    if (state.last > state.reserved) {
      state.reserved = state.last + this.block - 1;
      await this.write(sessionId, state.reserved);
    }
    return state.last;
  }

  async current(sessionId: string): Promise<number> {
    return (await this.load(sessionId)).last;
  }

  async flush(): Promise<void> {
    for (const [sessionId, loading] of this.sessions) {
      const state = await loading.catch(() => undefined);
      if (state && state.reserved !== state.last) {
        state.reserved = state.last;
        await this.write(sessionId, state.last);
      }
    }
  }

  private load(sessionId: string): Promise<{ last: number; reserved: number }> {
    let loading = this.sessions.get(sessionId);
    if (!loading) {
      const { store, conversations: table } = this.options;
      loading = guarded(() => store.get(table, counterKey(table, sessionId))).then((item) => {
        const reserved = typeof item?.reserved === 'number' ? item.reserved : 0;
        // What was reserved may have been used before a crash: start after it.
        return { last: reserved, reserved };
      });
      loading.catch(() => this.sessions.delete(sessionId));
      this.sessions.set(sessionId, loading);
    }
    return loading;
  }

  private async write(sessionId: string, reserved: number): Promise<void> {
    const { store, conversations: table } = this.options;
    const key = counterKey(table, sessionId);
    const fields = { reserved, [table.ttlAttribute]: this.options.expiresAt() };
    try {
      await store.update(table, key, fields);
      return;
    } catch (error) {
      if (!isNotFound(error)) throw toStorageError(error);
    }
    await guarded(() => store.create(table, { ...key, ...fields, version: 1 }));
  }
}
