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

/** Sessions whose counts stay in memory; past this, the least recently numbered one is let go. */
const MAX_COUNTED_SESSIONS = 10_000;

interface Counter {
  last: number;
  reserved: number;
  /** The write of the latest reservation. */
  reserving?: Promise<void>;
}

interface Entry {
  loading: Promise<Counter>;
  /** Calls using the entry now (taken before their first await): it is not let go meanwhile. */
  users: number;
}

/**
 * For a store only this process writes (the local server): counted in memory, with blocks of
 * `block` numbers reserved in the store before they are used. A graceful shutdown writes the
 * exact count; after a crash the count resumes past the last reserved block (a gap, never a
 * number used twice). At most `maxSessions` counts stay in memory (every connection starts a
 * session, so a client that reconnects in a loop would otherwise grow the map for good): the
 * least recently numbered idle one writes its exact count and is dropped, to be read again
 * from the store if its session speaks again.
 */
export class ReservingFrameSequence implements FrameSequence {
  private readonly sessions = new Map<string, Entry>();
  private readonly block: number;
  private readonly maxSessions: number;

  constructor(private readonly options: CounterOptions & { block?: number; maxSessions?: number }) {
    this.block = options.block ?? 100;
    this.maxSessions = options.maxSessions ?? MAX_COUNTED_SESSIONS;
  }

  /** Counts held in memory now. */
  get size(): number {
    return this.sessions.size;
  }

  next(sessionId: string): Promise<number> {
    return this.using(sessionId, async (state) => {
      // This call's own number: others may count on while the reservation below is written.
      const seq = (state.last += 1);
      if (seq > state.reserved) {
        const reserved = seq + this.block - 1;
        state.reserved = reserved;
        state.reserving = this.write(sessionId, reserved).catch((error: unknown) => {
          // Not reserved: the next number tries again (this one and those given meanwhile fail).
          if (state.reserved === reserved) state.reserved = seq - 1;
          throw error;
        });
      }
      // No number of a block goes out before the block is reserved in the store.
      await state.reserving;
      return seq;
    });
  }

  current(sessionId: string): Promise<number> {
    return this.using(sessionId, (state) => Promise.resolve(state.last));
  }

  async flush(): Promise<void> {
    for (const [sessionId, entry] of this.sessions) await this.settle(sessionId, entry);
  }

  /** Runs `work` on the session's counter; the entry counts as in use from the first moment. */
  private async using<T>(sessionId: string, work: (state: Counter) => Promise<T>): Promise<T> {
    const entry = this.entry(sessionId);
    entry.users += 1;
    try {
      return await work(await entry.loading);
    } finally {
      entry.users -= 1;
    }
  }

  /** The session's entry, most recently used last; a new one may let the oldest idle one go. */
  private entry(sessionId: string): Entry {
    let entry = this.sessions.get(sessionId);
    if (entry) {
      this.sessions.delete(sessionId);
      this.sessions.set(sessionId, entry);
      return entry;
    }
    const { store, conversations: table } = this.options;
    const loading = guarded(() => store.get(table, counterKey(table, sessionId))).then((item) => {
      const reserved = typeof item?.reserved === 'number' ? item.reserved : 0;
      // What was reserved may have been used before a crash: start after it.
      return { last: reserved, reserved };
    });
    entry = { loading, users: 0 };
    const created = entry;
    loading.catch(() => {
      if (this.sessions.get(sessionId) === created) this.sessions.delete(sessionId);
    });
    this.sessions.set(sessionId, entry);
    if (this.sessions.size > this.maxSessions) this.letGoOldest(entry);
    return entry;
  }

  /** Drops the least recently used idle count once its exact value is in the store. */
  private letGoOldest(created: Entry): void {
    for (const [sessionId, entry] of this.sessions) {
      // The entry just created is about to be used (its caller counts itself next).
      if (entry.users > 0 || entry === created) continue;
      void this.settle(sessionId, entry, true)
        .then(async (durable) => {
          // Only if nothing was numbered meanwhile: the store then holds exactly this count.
          const state = await entry.loading;
          if (entry.users === 0 && state.last === durable && this.sessions.get(sessionId) === entry)
            this.sessions.delete(sessionId);
        })
        .catch(() => undefined); // kept; the next flush or eviction tries again
      return;
    }
  }

  /**
   * Writes the exact count when numbers of the reserved block are unused; returns the count the
   * store now holds (an idle entry's reservation is written: `next` holds it while writing).
   * `idleOnly`: nothing is written while a call numbers (its reservation may be in flight).
   */
  private async settle(
    sessionId: string,
    entry: Entry,
    idleOnly = false,
  ): Promise<number | undefined> {
    const state = await entry.loading.catch(() => undefined);
    if (!state || (idleOnly && entry.users > 0)) return undefined;
    const count = state.last;
    if (state.reserved !== count) {
      state.reserved = count;
      await this.write(sessionId, count);
    }
    return count;
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
    try {
      await store.create(table, { ...key, ...fields, version: 1 });
    } catch (error) {
      // Another write of this counter created it first (a reservation and a flush): update it.
      if (!isConflict(error)) throw toStorageError(error);
      await guarded(() => store.update(table, key, fields));
    }
  }
}
