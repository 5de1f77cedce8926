import { tmpdir } from 'node:os';
import {
  DynamoDbRecordStore,
  LocalDynamoDbClient,
  startEmbeddedDynamoDb,
} from 'chatbot-mcp-server/records';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ReservingFrameSequence } from '../../../../src/adapters/records/frame-sequences.js';
import { freshChatTables } from '../../../support/fresh-chat-tables.js';

/** The local server's frame counters over the real record store on in-memory dynalite. */
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

async function counters(maxSessions: number, store = new DynamoDbRecordStore({ client })) {
  const tables = await freshChatTables(embedded.endpoint, 'seq');
  const options = {
    store,
    conversations: tables.conversations,
    expiresAt: () => Math.floor(Date.now() / 1000) + 3600,
  };
  return {
    sequence: new ReservingFrameSequence({ ...options, maxSessions }),
    /** Another process's view of the same store (what a restart would read). */
    reopened: () => new ReservingFrameSequence(options),
  };
}

describe('ReservingFrameSequence: counts in memory, bounded', () => {
  it('keeps at most maxSessions counts however many sessions a client opens', async () => {
    const { sequence } = await counters(20);
    for (let i = 0; i < 200; i++) await sequence.next(`churn-${i}`);
    await expect.poll(() => sequence.size).toBeLessThanOrEqual(21);
  });

  it('a session let go counts on from its exact count: no number twice, no gap', async () => {
    const { sequence, reopened } = await counters(5);
    for (let i = 1; i <= 3; i++) expect(await sequence.next('kept')).toBe(i);
    for (let i = 0; i < 50; i++) await sequence.next(`other-${i}`);
    await expect.poll(() => sequence.size).toBeLessThanOrEqual(6);
    expect(await sequence.next('kept')).toBe(4);
    await sequence.flush();
    expect(await reopened().next('kept')).toBe(5);
  });

  it('never lets go of a count while it is numbering', async () => {
    const { sequence } = await counters(2);
    const numbered = await Promise.all(
      Array.from({ length: 60 }, (_, i) => sequence.next(`s-${i % 6}`)),
    );
    const bySession = new Map<string, number[]>();
    numbered.forEach((n, i) =>
      bySession.set(`s-${i % 6}`, [...(bySession.get(`s-${i % 6}`) ?? []), n]),
    );
    for (const [session, seqs] of bySession)
      expect(new Set(seqs).size, `${session}: ${seqs.join(',')}`).toBe(seqs.length);
  });

  it('a reservation the store refused is tried again by the next number, not left failing', async () => {
    const real = new DynamoDbRecordStore({ client });
    let failures = 1;
    const flaky = new Proxy(real, {
      get(target, name, receiver) {
        const value = Reflect.get(target, name, receiver) as unknown;
        if ((name !== 'update' && name !== 'create') || typeof value !== 'function') return value;
        return (...args: unknown[]) =>
          failures-- > 0
            ? Promise.reject(new Error('store unavailable'))
            : (value as (...a: unknown[]) => unknown).apply(target, args);
      },
    });
    const { sequence, reopened } = await counters(10, flaky);
    await expect(sequence.next('s')).rejects.toThrow();
    expect(await sequence.next('s')).toBe(2);
    expect(await sequence.next('s')).toBe(3);
    // The block was reserved in the store: another process counts on past it.
    expect(await reopened().next('s')).toBeGreaterThan(3);
  });
});
