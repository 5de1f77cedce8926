import { tmpdir } from 'node:os';
import {
  DynamoDbRecordStore,
  LocalDynamoDbClient,
  startEmbeddedDynamoDb,
} from 'chatbot-mcp-server/records';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { RecordSessionStore } from '../../src/adapters/records/record-session-store.js';
import { AnalyticsRecorder } from '../../src/analytics/analytics-recorder.js';
import { SessionNotFoundError } from '../../src/errors.js';
import type { AnalyticsRecord, SessionStore } from '../../src/ports/session-store.js';
import {
  constantTimeEqual,
  createIdGenerator,
  hashToken,
  newResumeToken,
  newSessionId,
} from '../../src/sessions/ids.js';
import { SessionManager } from '../../src/sessions/session-manager.js';
import { sessionsPortOf } from '../../src/sessions/sessions-port-of.js';
import { freshChatTables } from '../support/fresh-chat-tables.js';

/**
 * The SessionManager with a fake clock, over the real session store on in-memory dynalite
 * (the store's TTL clock follows the fake one), so conditional writes behave as in production.
 */

const MINUTE = 60_000;

class FakeClock {
  constructor(public ms = Date.parse('2026-03-01T09:00:00.000Z')) {}
  readonly now = (): number => this.ms;
  advance(ms: number): void {
    this.ms += ms;
  }
}

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

interface Fixture {
  clock: FakeClock;
  store: SessionStore;
  manager: SessionManager;
  events(): Promise<AnalyticsRecord[]>;
  recorder: AnalyticsRecorder;
}

/** Fresh tables for each test, so counts and scans see only that test's sessions. */
async function fixture(
  options: { timeoutMinutes?: number; retentionDays?: number; pageSize?: number } = {},
): Promise<Fixture> {
  const clock = new FakeClock();
  const tables = await freshChatTables(embedded.endpoint, 'sm');
  const records = new DynamoDbRecordStore({
    client,
    nowSeconds: () => Math.floor(clock.now() / 1000),
  });
  const store = new RecordSessionStore({
    store: records,
    tables,
    pageSize: options.pageSize ?? 100,
  });
  const recorder = new AnalyticsRecorder({
    store,
    logger: { warn: () => undefined },
    now: clock.now,
  });
  const manager = new SessionManager({
    store,
    now: clock.now,
    events: recorder,
    ...(options.timeoutMinutes !== undefined && { timeoutMinutes: options.timeoutMinutes }),
    ...(options.retentionDays !== undefined && { retentionDays: options.retentionDays }),
  });
  const events = async (): Promise<AnalyticsRecord[]> => {
    const day = new Date(clock.now()).toISOString().slice(0, 10);
    const all: AnalyticsRecord[] = [];
    let cursor: string | undefined;
    do {
      const page = await store.listEvents(day, cursor);
      all.push(...page.items);
      cursor = page.cursor;
    } while (cursor !== undefined);
    return all;
  };
  return { clock, store, manager, events, recorder };
}

/** Asserts the call fails with SESSION_NOT_FOUND, and returns the error's message. */
async function notFound(call: Promise<unknown>): Promise<string> {
  const error = await call.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(SessionNotFoundError);
  expect((error as SessionNotFoundError).code).toBe('SESSION_NOT_FOUND');
  return (error as Error).message;
}

describe('ids', () => {
  it('makes 26-character Crockford ids that increase within one millisecond and when the clock steps back', () => {
    let ms = 1_770_000_000_000;
    const next = createIdGenerator(() => ms);
    const ids = Array.from({ length: 500 }, () => next());
    ms -= 5_000;
    ids.push(next(), next());
    ms += 60_000;
    ids.push(next());
    for (const id of ids) expect(id).toMatch(/^[0-9A-HJKMNP-TV-Z]{26}$/);
    expect([...ids].sort()).toEqual(ids);
    expect(new Set(ids).size).toBe(ids.length);
    // The first ten characters are the time.
    expect(ids[0]!.slice(0, 10)).toBe(ids[499]!.slice(0, 10));
    expect(ids.at(-1)!.slice(0, 10) > ids[0]!.slice(0, 10)).toBe(true);
  });

  it('makes random session ids and resume tokens, and hashes tokens with SHA-256', () => {
    const sessions = new Set(Array.from({ length: 100 }, newSessionId));
    expect(sessions.size).toBe(100);
    for (const id of sessions) expect(id).toMatch(/^[A-Za-z0-9_-]{22}$/);
    expect(newResumeToken()).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(hashToken('abc')).toBe(
      'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad',
    );
    expect(constantTimeEqual('abc', 'abc')).toBe(true);
    expect(constantTimeEqual('abc', 'abd')).toBe(false);
    expect(constantTimeEqual('abc', 'abcd')).toBe(false);
  });
});

describe('SessionManager', () => {
  let f: Fixture;
  beforeEach(async () => {
    f = await fixture();
  });

  it('creates an active session storing only the hash of its resume token', async () => {
    const { session, resumeToken } = await f.manager.createSession(
      { userAgent: 'vitest', ipAddress: undefined },
      'conn-1',
    );
    expect(session.clientInfo).toEqual({ userAgent: 'vitest' });
    const stored = await f.manager.getSession(session.sessionId);
    expect(stored).toEqual(session);
    expect(stored).toMatchObject({
      isActive: true,
      connectionId: 'conn-1',
      createdAt: '2026-03-01T09:00:00.000Z',
      lastActivity: '2026-03-01T09:00:00.000Z',
      resumeTokenHash: hashToken(resumeToken),
      ttl: Math.floor(f.clock.now() / 1000) + 30 * 86_400,
    });
    expect(JSON.stringify(stored)).not.toContain(resumeToken);
    expect((await f.events()).map((e) => [e.eventType, e.sessionId])).toEqual([
      ['session_created', session.sessionId],
    ]);
  });

  it('resumes with the right token, on the new connection, and rotates the token', async () => {
    const { session, resumeToken } = await f.manager.createSession({}, 'conn-1');
    f.clock.advance(10 * MINUTE);
    const resumed = await f.manager.resume(session.sessionId, resumeToken, 'conn-2');
    expect(resumed.resumeToken).not.toBe(resumeToken);
    expect(resumed.session).toMatchObject({
      sessionId: session.sessionId,
      connectionId: 'conn-2',
      lastActivity: '2026-03-01T09:10:00.000Z',
      resumeTokenHash: hashToken(resumed.resumeToken),
    });
    // The old token worked once; the new one works.
    await notFound(f.manager.resume(session.sessionId, resumeToken, 'conn-3'));
    const again = await f.manager.resume(session.sessionId, resumed.resumeToken, 'conn-3');
    expect(again.session.connectionId).toBe('conn-3');
  });

  it("keeps the signed-in identity on the session, and refuses resuming A's session as B or anonymously", async () => {
    const alice = {
      issuer: 'https://idp.test',
      subject: 'alice',
      name: 'Alice',
      groups: ['staff'],
    };
    const bob = { issuer: 'https://idp.test', subject: 'bob' };
    const { session, resumeToken } = await f.manager.createSession({ identity: alice }, 'conn-1');
    expect((await f.manager.getSession(session.sessionId))?.clientInfo?.identity).toEqual(alice);
    expect((await f.events()).at(-1)?.details).toEqual({ userId: 'https://idp.test#alice' });
    await notFound(f.manager.resume(session.sessionId, resumeToken, 'conn-2', bob));
    await notFound(f.manager.resume(session.sessionId, resumeToken, 'conn-2'));
    // Same subject at another issuer is another user.
    await notFound(
      f.manager.resume(session.sessionId, resumeToken, 'conn-2', { ...alice, issuer: 'https://x' }),
    );
    const resumed = await f.manager.resume(session.sessionId, resumeToken, 'conn-2', {
      issuer: alice.issuer,
      subject: alice.subject,
    });
    expect(resumed.session.connectionId).toBe('conn-2');
    await f.recorder.query(session.sessionId, {
      route: 'general',
      reason: 'test',
      latencyMs: 1,
      modelId: null,
      finishReason: 'stop',
    });
    expect((await f.events()).find((e) => e.eventType === 'query')?.details).toMatchObject({
      userId: 'https://idp.test#alice',
    });
    // An anonymous session is not resumable by a signed-in user either (the switch was flipped).
    const anon = await f.manager.createSession({}, 'conn-3');
    await notFound(f.manager.resume(anon.session.sessionId, anon.resumeToken, 'conn-4', alice));
  });

  it('gives the same SESSION_NOT_FOUND for a wrong token, another session, an unknown id, a closed or an expired session', async () => {
    const a = await f.manager.createSession({}, 'conn-a');
    const b = await f.manager.createSession({}, 'conn-b');
    const messages = [
      await notFound(f.manager.resume(a.session.sessionId, newResumeToken(), 'x')),
      await notFound(f.manager.resume(a.session.sessionId, b.resumeToken, 'x')),
      await notFound(f.manager.resume(newSessionId(), a.resumeToken, 'x')),
      await notFound(f.manager.resume(a.session.sessionId, '', 'x')),
    ];
    await f.manager.closeSession(b.session.sessionId, 'user left');
    messages.push(await notFound(f.manager.resume(b.session.sessionId, b.resumeToken, 'x')));
    // Idle past the 30-minute timeout (the cleanup job has not run yet).
    f.clock.advance(31 * MINUTE);
    messages.push(await notFound(f.manager.resume(a.session.sessionId, a.resumeToken, 'x')));
    expect(new Set(messages).size).toBe(1);
    expect(messages[0]).not.toContain(a.session.sessionId);
    // None of the failures attached the session elsewhere.
    expect((await f.manager.getSession(a.session.sessionId))?.connectionId).toBe('conn-a');
  });

  it('a session past its TTL is gone, even with a long idle timeout', async () => {
    const g = await fixture({ timeoutMinutes: 7 * 24 * 60, retentionDays: 1 });
    const { session, resumeToken } = await g.manager.createSession({}, 'conn-1');
    g.clock.advance(25 * 60 * MINUTE);
    await notFound(g.manager.resume(session.sessionId, resumeToken, 'conn-2'));
    expect(await g.manager.getSession(session.sessionId)).toBeUndefined();
  });

  it('of concurrent resumes with one token, exactly one succeeds', async () => {
    const { session, resumeToken } = await f.manager.createSession({}, 'conn-0');
    const outcomes = await Promise.allSettled(
      Array.from({ length: 5 }, (_, i) =>
        f.manager.resume(session.sessionId, resumeToken, `conn-${i + 1}`),
      ),
    );
    const won = outcomes.filter((o) => o.status === 'fulfilled');
    expect(won).toHaveLength(1);
    for (const o of outcomes) {
      if (o.status === 'rejected') expect(o.reason).toBeInstanceOf(SessionNotFoundError);
    }
    const stored = await f.manager.getSession(session.sessionId);
    expect(stored?.connectionId).toBe(won[0]!.value.session.connectionId);
  });

  it('updateActivity writes at most once per 5 seconds and keeps a session alive', async () => {
    const { session } = await f.manager.createSession({}, 'conn-1');
    f.clock.advance(20 * MINUTE);
    await f.manager.updateActivity(session.sessionId);
    expect((await f.manager.getSession(session.sessionId))?.lastActivity).toBe(
      '2026-03-01T09:20:00.000Z',
    );
    f.clock.advance(2_000);
    await f.manager.updateActivity(session.sessionId);
    expect((await f.manager.getSession(session.sessionId))?.lastActivity).toBe(
      '2026-03-01T09:20:00.000Z',
    );
    f.clock.advance(4_000);
    await f.manager.updateActivity(session.sessionId);
    expect((await f.manager.getSession(session.sessionId))?.lastActivity).toBe(
      '2026-03-01T09:20:06.000Z',
    );
    // 35 minutes after creation, but 15 after the last activity: not closed.
    f.clock.advance(15 * MINUTE);
    expect((await f.manager.cleanupInactiveSessions()).count).toBe(0);
    // Activity on an unknown session is not an error and creates nothing.
    await f.manager.updateActivity('unknown');
    expect(await f.manager.getSession('unknown')).toBeUndefined();
  });

  it('updateActivity never reopens a closed session', async () => {
    const { session } = await f.manager.createSession({}, 'conn-1');
    await f.manager.closeSession(session.sessionId, 'user left');
    f.clock.advance(MINUTE);
    await f.manager.updateActivity(session.sessionId);
    expect((await f.manager.getSession(session.sessionId))?.isActive).toBe(false);
  });

  it('names the last connection to open or resume a session; reissues a token only for it', async () => {
    const { session, resumeToken } = await f.manager.createSession({}, 'conn-1');
    const { resumeToken: second } = await f.manager.resume(
      session.sessionId,
      resumeToken,
      'conn-2',
    );
    expect((await f.manager.getSession(session.sessionId))?.connectionId).toBe('conn-2');
    // conn-1 (a tab that is not the last) must not undo the token conn-2 was given.
    await expect(f.manager.reissueToken(session.sessionId, 'conn-1')).rejects.toThrow(
      SessionNotFoundError,
    );
    const { resumeToken: third } = await f.manager.reissueToken(session.sessionId, 'conn-2');
    await expect(f.manager.resume(session.sessionId, second, 'conn-3')).rejects.toThrow(
      SessionNotFoundError,
    );
    await f.manager.resume(session.sessionId, third, 'conn-3');
  });

  it('closes a session once, recording one session_closed event', async () => {
    const { session } = await f.manager.createSession({}, 'conn-1');
    f.clock.advance(MINUTE);
    expect(await f.manager.closeSession(session.sessionId, 'user left')).toBe(true);
    f.clock.advance(MINUTE);
    expect(await f.manager.closeSession(session.sessionId, 'again')).toBe(false);
    expect(await f.manager.getSession(session.sessionId)).toMatchObject({
      isActive: false,
      closedAt: '2026-03-01T09:01:00.000Z',
      closeReason: 'user left',
    });
    const closed = (await f.events()).filter((e) => e.eventType === 'session_closed');
    expect(closed.map((e) => e.details)).toEqual([{ reason: 'user left' }]);
  });

  it('cleanup closes only active sessions idle past the timeout, across scan pages', async () => {
    const g = await fixture({ pageSize: 2 });
    const idleA = await g.manager.createSession({}, 'conn-a');
    const idleB = await g.manager.createSession({}, 'conn-b');
    const closedEarlier = await g.manager.createSession({}, 'conn-c');
    await g.manager.closeSession(closedEarlier.session.sessionId, 'user left');
    g.clock.advance(20 * MINUTE);
    const recent = await g.manager.createSession({}, 'conn-d');
    const touched = await g.manager.createSession({}, 'conn-e');
    g.clock.advance(11 * MINUTE); // idleA, idleB: 31 minutes; recent, touched: 11
    await g.manager.updateActivity(touched.session.sessionId);
    // Exactly at the timeout is not past it.
    const boundary = await g.manager.createSession({}, 'conn-f');
    g.clock.advance(30 * MINUTE); // boundary: exactly 30; recent: 41 -> idle too
    await g.manager.updateActivity(touched.session.sessionId); // 30 min since its last write

    const result = await g.manager.cleanupInactiveSessions();
    const expected = [
      { sessionId: idleA.session.sessionId },
      { sessionId: idleB.session.sessionId },
      { sessionId: recent.session.sessionId },
    ];
    const byId = (a: { sessionId: string }, b: { sessionId: string }): number =>
      a.sessionId.localeCompare(b.sessionId);
    expect(result.count).toBe(3);
    expect([...result.closed].sort(byId)).toEqual([...expected].sort(byId));

    for (const { sessionId } of expected) {
      expect(await g.manager.getSession(sessionId)).toMatchObject({
        isActive: false,
        closeReason: 'inactive',
        closedAt: '2026-03-01T10:01:00.000Z',
      });
    }
    for (const s of [touched, boundary]) {
      const stored = await g.manager.getSession(s.session.sessionId);
      expect(stored?.isActive).toBe(true);
      expect(stored?.closedAt).toBeUndefined();
    }
    expect(await g.manager.getSession(closedEarlier.session.sessionId)).toMatchObject({
      closeReason: 'user left',
      closedAt: '2026-03-01T09:00:00.000Z',
    });
    const closedEvents = (await g.events()).filter((e) => e.eventType === 'session_closed');
    expect(closedEvents.map((e) => e.sessionId).sort()).toEqual(
      [closedEarlier, idleA, idleB, recent].map((s) => s.session.sessionId).sort(),
    );
    // A second run finds nothing more to close.
    expect(await g.manager.cleanupInactiveSessions()).toEqual({ count: 0, closed: [] });
  });

  it('serves the core through sessionsPortOf', async () => {
    const port = sessionsPortOf(f.manager);
    const created = await port.create({}, 'conn-1');
    const resumed = await port.resume(created.sessionId, created.resumeToken, 'conn-2');
    expect(resumed.sessionId).toBe(created.sessionId);
    expect((await port.reissueToken(created.sessionId, 'conn-2')).resumeToken).toMatch(/\S{20,}/);
    await port.close(created.sessionId, 'done');
    expect(await f.manager.getSession(created.sessionId)).toMatchObject({
      isActive: false,
      closeReason: 'done',
    });
    await notFound(port.resume(created.sessionId, resumed.resumeToken, 'conn-3'));
  });
});
