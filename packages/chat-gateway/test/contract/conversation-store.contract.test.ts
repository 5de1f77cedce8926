import { randomUUID } from 'node:crypto';
import { tmpdir } from 'node:os';
import { defaultTables, type TableSpec } from 'chatbot-mcp-server/core';
import {
  DynamoDbRecordStore,
  LocalDynamoDbClient,
  createDocumentClient,
  ensureTables,
  startEmbeddedDynamoDb,
} from 'chatbot-mcp-server/records';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RecordSessionStore } from '../../src/adapters/records/record-session-store.js';
import { WriteThroughClaims } from '../../src/adapters/records/write-through-claims.js';
import {
  conversationOwner,
  type ConversationSummary,
  type Identity,
  type SessionStore,
} from '../../src/ports/session-store.js';
import { createIdGenerator } from '../../src/sessions/ids.js';
import { MemorySessionStore } from '../support/memory-session-store.js';

/**
 * The conversation list of the SessionStore port (list by owner with a cursor, search, rename,
 * delete), run on every adapter: the record-backed store on dynalite (the embedded DynamoDB the
 * gateway uses locally; the same adapter serves DynamoDB), the same behind the write-through
 * claims of an exclusive store, and the in-memory double the core tests use.
 */

let closeDynalite: () => Promise<void> = () => Promise.resolve();
let recordStore: () => RecordSessionStore;

beforeAll(async () => {
  const embedded = await startEmbeddedDynamoDb({ dataDir: tmpdir(), inMemory: true });
  const specs = defaultTables({
    sessions: 'cv-sessions',
    conversations: 'cv-conversations',
    analytics: 'cv-analytics',
    notes: 'cv-notes',
  });
  const sdk = createDocumentClient({
    region: 'local',
    endpoint: embedded.endpoint,
    localCredentials: true,
  });
  await ensureTables(sdk, specs);
  sdk.destroy();
  const client = new LocalDynamoDbClient(embedded.endpoint);
  const spec = (alias: string): TableSpec => specs.find((t) => t.alias === alias)!;
  // A small page size, so that listing an owner's conversations reads several pages.
  recordStore = () =>
    new RecordSessionStore({
      store: new DynamoDbRecordStore({ client }),
      tables: {
        sessions: spec('sessions'),
        conversations: spec('conversations'),
        analytics: spec('analytics'),
      },
      pageSize: 2,
    });
  closeDynalite = async () => {
    client.destroy();
    await embedded.close();
  };
}, 60_000);
afterAll(() => closeDynalite());

const adapters: { name: string; make: () => SessionStore }[] = [
  { name: 'RecordSessionStore on dynalite', make: () => recordStore() },
  {
    name: 'WriteThroughClaims over RecordSessionStore',
    make: () => new WriteThroughClaims(recordStore()),
  },
  { name: 'MemorySessionStore (test double)', make: () => new MemorySessionStore() },
];

describe.each(adapters)('conversations on $name', ({ make }) => {
  let store: SessionStore;
  const newId = createIdGenerator();
  // Each test has its own users, so the adapters sharing one dynalite never see each other's.
  let alice: Identity;
  let bob: Identity;
  let clock = Date.parse('2026-03-01T10:00:00.000Z');

  beforeAll(() => {
    store = make();
  });

  const newUsers = (): void => {
    const issuer = `http://127.0.0.1:1/${randomUUID()}`;
    alice = { issuer, subject: 'alice', groups: ['staff'] };
    bob = { issuer, subject: 'bob' };
  };

  async function session(identity?: Identity): Promise<string> {
    const sessionId = randomUUID();
    const now = new Date(clock).toISOString();
    await store.createSession({
      sessionId,
      createdAt: now,
      lastActivity: now,
      isActive: true,
      ...(identity && { clientInfo: { identity } }),
      ttl: Math.floor(Date.now() / 1000) + 3600,
      resumeTokenHash: 'a'.repeat(64),
    });
    return sessionId;
  }

  async function say(sessionId: string, content: string, type: 'user' | 'assistant' = 'user') {
    clock += 1000;
    const message = {
      sessionId,
      messageId: newId(),
      timestamp: new Date(clock).toISOString(),
      messageType: type,
      content,
      ttl: Math.floor(Date.now() / 1000) + 3600,
    };
    await store.appendMessage(message);
    return message;
  }

  const ids = (items: ConversationSummary[]): string[] => items.map((c) => c.sessionId);

  it("lists only the owner's conversations with messages, newest activity first, titled by the first question", async () => {
    newUsers();
    const a1 = await session(alice);
    const a2 = await session(alice);
    await session(alice); // never used: not a conversation
    const b1 = await session(bob);
    await say(a1, '   What is   the refund\npolicy?  ');
    await say(a1, 'Refunds take 14 days.', 'assistant');
    await say(b1, 'Bob asks about salaries');
    await say(a2, 'x'.repeat(200));
    await say(a1, 'And for shoes?'); // a1 is the newest again

    const page = await store.listConversations(conversationOwner(alice), { limit: 10 });
    expect(ids(page.items)).toEqual([a1, a2]);
    expect(page.cursor).toBeUndefined();
    const [first, second] = page.items;
    expect(first).toMatchObject({ title: 'What is the refund policy?', messages: 3 });
    expect(second!.title).toHaveLength(60);
    expect(second!.title.endsWith('…')).toBe(true);
    expect(first!.updatedAt > second!.updatedAt).toBe(true);
    const bobs = await store.listConversations(conversationOwner(bob), { limit: 10 });
    expect(ids(bobs.items)).toEqual([b1]);
  });

  it('pages with the cursor without repeating or skipping a conversation', async () => {
    newUsers();
    const made: string[] = [];
    for (let i = 0; i < 5; i++) {
      const id = await session(alice);
      await say(id, `question ${i}`);
      made.unshift(id);
    }
    const seen: string[] = [];
    let cursor: string | undefined;
    for (let n = 0; n < 5; n++) {
      const page = await store.listConversations(conversationOwner(alice), {
        limit: 2,
        ...(cursor !== undefined && { cursor }),
      });
      seen.push(...ids(page.items));
      cursor = page.cursor;
      if (!cursor) break;
    }
    expect(seen).toEqual(made);
  });

  it("searches the owner's own questions, case-insensitively, and not answers or others' questions", async () => {
    newUsers();
    const a1 = await session(alice);
    const a2 = await session(alice);
    const b1 = await session(bob);
    await say(a1, 'Hello');
    await say(a1, 'Where is the Holiday CALENDAR?');
    await say(a2, 'Something else');
    await say(a2, 'The calendar is on the intranet', 'assistant');
    await say(b1, 'my calendar too');
    const found = await store.listConversations(conversationOwner(alice), {
      limit: 10,
      query: 'holiday calendar',
    });
    expect(ids(found.items)).toEqual([a1]);
    const none = await store.listConversations(conversationOwner(alice), {
      limit: 10,
      query: 'intranet',
    });
    expect(none.items).toEqual([]);
  });

  it('renames only for the owner; another owner is told there is none', async () => {
    newUsers();
    const a1 = await session(alice);
    await say(a1, 'first question');
    expect(await store.renameConversation(conversationOwner(bob), a1, 'stolen')).toBe(false);
    expect(await store.renameConversation(conversationOwner(alice), randomUUID(), 'x')).toBe(false);
    expect(await store.renameConversation(conversationOwner(alice), a1, '  Trip  plans ')).toBe(
      true,
    );
    await say(a1, 'second question'); // a later question does not rename it back
    const [item] = (await store.listConversations(conversationOwner(alice), { limit: 5 })).items;
    expect(item).toMatchObject({ sessionId: a1, title: 'Trip plans', messages: 2 });
  });

  it('deletes the session and its messages for the owner only', async () => {
    newUsers();
    const a1 = await session(alice);
    const a2 = await session(alice);
    await say(a1, 'keep me');
    for (let i = 0; i < 5; i++) await say(a2, `delete me ${i}`);
    await store.claimMessage(a2, 'client-1');

    expect(await store.deleteConversation(conversationOwner(bob), a2)).toBe(false);
    expect(await store.getSession(a2)).toBeDefined();
    expect(await store.listMessages(a2, { limit: 10 })).toHaveLength(5);

    expect(await store.deleteConversation(conversationOwner(alice), a2)).toBe(true);
    expect(await store.getSession(a2)).toBeUndefined();
    expect(await store.listMessages(a2, { limit: 10 })).toEqual([]);
    expect(
      ids((await store.listConversations(conversationOwner(alice), { limit: 5 })).items),
    ).toEqual([a1]);
    expect(await store.deleteConversation(conversationOwner(alice), a2)).toBe(false);
    expect(await store.listMessages(a1, { limit: 10 })).toHaveLength(1);
    // Its claim markers went with it: nothing of the session is left behind.
    expect(await store.claimMessage(a2, 'client-1')).toMatchObject({ claimed: true });
  });

  it('counts a message stored twice (a retried write) once', async () => {
    newUsers();
    const a1 = await session(alice);
    const m = await say(a1, 'once');
    await store.appendMessage(m);
    const [item] = (await store.listConversations(conversationOwner(alice), { limit: 5 })).items;
    expect(item!.messages).toBe(1);
  });

  it('anonymous sessions share one owner, apart from every signed-in user', async () => {
    newUsers();
    const anon = await session();
    await say(anon, `anonymous question ${randomUUID()}`);
    const listed = await store.listConversations(conversationOwner(undefined), { limit: 100 });
    expect(ids(listed.items)).toContain(anon);
    const alices = await store.listConversations(conversationOwner(alice), { limit: 100 });
    expect(ids(alices.items)).not.toContain(anon);
  });

  it('refuses a cursor it did not give', async () => {
    await expect(
      store.listConversations('anyone', { limit: 5, cursor: 'bm90IGEgY3Vyc29y' }),
    ).rejects.toThrow(/cursor is not one this server gave/);
  });
});
