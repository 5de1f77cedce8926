import { randomUUID } from 'node:crypto';
import { tmpdir } from 'node:os';
import {
  DynamoDbRecordStore,
  LocalDynamoDbClient,
  startEmbeddedDynamoDb,
} from 'chatbot-mcp-server/records';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { RecordSessionStore } from '../../src/adapters/records/record-session-store.js';
import { WriteThroughClaims } from '../../src/adapters/records/write-through-claims.js';
import { ChatError, StorageError } from '../../src/errors.js';
import type { ConversationRecord, SessionRecord } from '../../src/ports/session-store.js';
import { newSessionId } from '../../src/sessions/ids.js';
import { freshChatTables } from '../support/fresh-chat-tables.js';

/**
 * Claims decided in memory and written through, over the real session store on in-memory
 * dynalite: what the gateway on an embedded store uses.
 */

let embedded: Awaited<ReturnType<typeof startEmbeddedDynamoDb>>;
let client: LocalDynamoDbClient;

beforeAll(async () => {
  embedded = await startEmbeddedDynamoDb({ dataDir: tmpdir(), inMemory: true });
  client = new LocalDynamoDbClient(embedded.endpoint);
});
afterAll(async () => {
  client?.destroy();
  await embedded?.close();
});

/** Fresh tables per test; `records` is the store underneath, spied on. */
async function fixture(maxSessions?: number) {
  const records = new RecordSessionStore({
    store: new DynamoDbRecordStore({ client }),
    tables: await freshChatTables(embedded.endpoint, 'wtc'),
  });
  const claimWrites = vi.spyOn(records, 'claimMessage');
  const store = new WriteThroughClaims(records, maxSessions);
  return { records, store, claimWrites };
}

function session(): SessionRecord {
  const now = new Date().toISOString();
  return {
    sessionId: newSessionId(),
    createdAt: now,
    lastActivity: now,
    isActive: true,
    ttl: Math.floor(Date.now() / 1000) + 3600,
    resumeTokenHash: 'f'.repeat(64),
  };
}

function userMessage(sessionId: string, clientMessageId: string): ConversationRecord {
  return {
    sessionId,
    messageId: `01J${randomUUID().replaceAll('-', '').slice(0, 23).toUpperCase()}`,
    timestamp: new Date().toISOString(),
    messageType: 'user',
    content: 'hello',
    clientMessageId,
    ttl: Math.floor(Date.now() / 1000) + 3600,
  };
}

function deferred<T>() {
  let resolve!: (value: T) => void;
  let reject!: (error: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

describe('WriteThroughClaims on the embedded store', () => {
  it('decides a repeated id in memory, and the first claim is written to the store', async () => {
    const { records, store, claimWrites } = await fixture();
    const s = session();
    await store.createSession(s);
    expect(await store.claimMessage(s.sessionId, 'm1')).toEqual({ claimed: true });
    expect(await store.claimMessage(s.sessionId, 'm1')).toEqual({ claimed: false });
    expect(claimWrites).toHaveBeenCalledTimes(1);
    await store.appendMessage(userMessage(s.sessionId, 'm1')); // waits for the marker
    claimWrites.mockClear();
    // The marker is in the store: a claim there (another process, a restart) is refused.
    expect(await records.claimMessage(s.sessionId, 'm1')).toEqual({ claimed: false });
  });

  it('stores a user message only once its claim is written', async () => {
    const { records, store, claimWrites } = await fixture();
    const s = session();
    await store.createSession(s);
    const gate = deferred<void>();
    const real = records.claimMessage.bind(records);
    claimWrites.mockImplementationOnce(async (...args) => {
      await gate.promise;
      return real(...args);
    });
    await store.claimMessage(s.sessionId, 'm1');
    const message = userMessage(s.sessionId, 'm1');
    let stored = false;
    const appending = store.appendMessage(message).then(() => (stored = true));
    await new Promise((r) => setTimeout(r, 50));
    expect(stored).toBe(false);
    expect(await records.listMessages(s.sessionId, { limit: 10 })).toEqual([]);
    gate.resolve();
    await appending;
    expect((await records.listMessages(s.sessionId, { limit: 10 })).map((m) => m.content)).toEqual([
      'hello',
    ]);
  });

  it('refuses the user message when another writer holds the marker, and leaves that marker', async () => {
    const { records, store } = await fixture();
    const s = session();
    await store.createSession(s);
    // Another writer's claim of the same id (the lock on a data directory rules this out; the
    // adapter still never stores an unclaimed turn).
    await records.claimMessage(s.sessionId, 'm1');
    expect(await store.claimMessage(s.sessionId, 'm1')).toEqual({ claimed: true });
    const refused = await store
      .appendMessage(userMessage(s.sessionId, 'm1'))
      .catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(ChatError);
    expect((refused as ChatError).code).toBe('DUPLICATE_MESSAGE');
    await store.releaseMessage(s.sessionId, 'm1');
    expect(await records.claimMessage(s.sessionId, 'm1')).toEqual({ claimed: false });
    expect(await records.listMessages(s.sessionId, { limit: 10 })).toEqual([]);
  });

  it('when the marker write fails, the user message fails retryably and a release frees the id', async () => {
    const { store, claimWrites } = await fixture();
    const s = session();
    await store.createSession(s);
    claimWrites.mockRejectedValueOnce(new StorageError('store down'));
    expect(await store.claimMessage(s.sessionId, 'm1')).toEqual({ claimed: true });
    const failed = await store
      .appendMessage(userMessage(s.sessionId, 'm1'))
      .catch((e: unknown) => e);
    expect(failed).toBeInstanceOf(StorageError);
    expect((failed as StorageError).retryable).toBe(true);
    await store.releaseMessage(s.sessionId, 'm1');
    // Sent again: claimed again, and this time written.
    expect(await store.claimMessage(s.sessionId, 'm1')).toEqual({ claimed: true });
    await store.appendMessage(userMessage(s.sessionId, 'm1'));
    expect(claimWrites).toHaveBeenCalledTimes(2);
  });

  it('claims of a session it did not create, or one closed since, go through the store', async () => {
    const { records, store, claimWrites } = await fixture();
    const elsewhere = session();
    await records.createSession(elsewhere); // created before a restart
    expect(await store.claimMessage(elsewhere.sessionId, 'm1')).toEqual({ claimed: true });
    expect(await store.claimMessage(elsewhere.sessionId, 'm1')).toEqual({ claimed: false });
    expect(claimWrites).toHaveBeenCalledTimes(2);

    const closed = session();
    await store.createSession(closed);
    await store.claimMessage(closed.sessionId, 'm1');
    await store.appendMessage(userMessage(closed.sessionId, 'm1'));
    await store.updateSession(closed.sessionId, { isActive: false });
    claimWrites.mockClear();
    expect(await store.claimMessage(closed.sessionId, 'm1')).toEqual({ claimed: false });
    expect(claimWrites).toHaveBeenCalledTimes(1);
  });

  it('past its session cap it forgets the oldest session, whose ids the store still refuses', async () => {
    const { store, claimWrites } = await fixture(2);
    const [a, b, c] = [session(), session(), session()];
    await store.createSession(a);
    await store.claimMessage(a.sessionId, 'm1');
    await store.appendMessage(userMessage(a.sessionId, 'm1'));
    await store.createSession(b);
    await store.createSession(c);
    claimWrites.mockClear();
    expect(await store.claimMessage(a.sessionId, 'm1')).toEqual({ claimed: false });
    expect(claimWrites).toHaveBeenCalledTimes(1);
  });
});
