import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DynamoDbRecordStore } from '../../src/adapters/aws/dynamodb-record-store.js';
import { ValidationError } from '../../src/errors.js';
import type { ListQuery, RecordItem, TableSpec } from '../../src/ports/record-store.js';
import { defaultTables } from '../../src/tables/tables-file.js';
import { expectFailure } from '../support/expect-failure.js';
import {
  connectWithTables,
  recordBackends,
  type RecordBackend,
  type RecordClient,
} from '../support/record-backends.js';

/**
 * History paging on the record store port (`descending`, `sortKeyBefore`): the chat gateway
 * reads a conversation newest first, one page strictly before the oldest message it has.
 */

const NOW = 1_900_000_000;

function tablesFor(prefix: string): TableSpec[] {
  return [
    ...defaultTables({
      sessions: `${prefix}-sessions`,
      conversations: `${prefix}-conversations`,
      analytics: `${prefix}-analytics`,
      notes: `${prefix}-notes`,
    }),
    {
      alias: 'events',
      name: `${prefix}-events`,
      partitionKey: { name: 'day', type: 'S' },
      sortKey: { name: 'seq', type: 'N' },
      access: 'read-write',
      ttlAttribute: 'expiresAt',
    },
  ];
}

// Start every backend at once so DynamoDB Local's JVM boots while dynalite runs.
const backends = new Map<string, Promise<RecordBackend>>();
beforeAll(() => {
  for (const factory of recordBackends) {
    const started = factory.start();
    started.catch(() => undefined); // the suite that awaits it reports the failure
    backends.set(factory.name, started);
  }
});
afterAll(async () => {
  await Promise.all(
    [...backends.values()].map((started) =>
      started.then(
        (b) => b.close(),
        () => undefined,
      ),
    ),
  );
});

describe.each(recordBackends)('RecordStore paging on $name', (factory) => {
  let client: RecordClient;
  let tables: TableSpec[];
  let store: DynamoDbRecordStore;
  const table = (alias: string): TableSpec => tables.find((t) => t.alias === alias)!;

  /** Every item of a query, following cursors, with the size of each page. */
  async function listAll(
    spec: TableSpec,
    query: Omit<ListQuery, 'cursor'>,
  ): Promise<{ items: RecordItem[]; pages: number }> {
    const items: RecordItem[] = [];
    let cursor: string | undefined;
    let pages = 0;
    do {
      const page = await store.list(spec, { ...query, ...(cursor !== undefined && { cursor }) });
      expect(page.items.length).toBeLessThanOrEqual(query.limit);
      items.push(...page.items);
      cursor = page.cursor;
      pages += 1;
    } while (cursor !== undefined && pages < 100);
    expect(cursor, 'list never reached its last page').toBeUndefined();
    return { items, pages };
  }

  const ids = (items: RecordItem[], key = 'messageId'): unknown[] => items.map((i) => i[key]);

  beforeAll(async () => {
    const backend = await backends.get(factory.name)!;
    tables = tablesFor(`paging-${randomUUID().slice(0, 8)}`);
    client = await connectWithTables(backend.embedded ?? backend.endpoint, tables, backend.client);
    store = new DynamoDbRecordStore({ client, nowSeconds: () => NOW });
  });

  afterAll(() => {
    client?.destroy();
  });

  /** A conversation of `count` messages m00..m(count-1), plus one in another session. */
  async function seedConversation(count: number): Promise<string> {
    const sessionId = randomUUID();
    for (let i = 0; i < count; i++) {
      const messageId = `m${String(i).padStart(2, '0')}`;
      await store.create(table('conversations'), { sessionId, messageId, version: 1 });
    }
    await store.create(table('conversations'), {
      sessionId: randomUUID(),
      messageId: 'm05',
      version: 1,
    });
    return sessionId;
  }

  it('descending lists a partition newest first, across pages', async () => {
    const sessionId = await seedConversation(7);
    const { items, pages } = await listAll(table('conversations'), {
      partitionKeyValue: sessionId,
      limit: 3,
      descending: true,
    });
    expect(ids(items)).toEqual(['m06', 'm05', 'm04', 'm03', 'm02', 'm01', 'm00']);
    expect(pages).toBeGreaterThanOrEqual(3);
  });

  it('without descending the order stays ascending', async () => {
    const sessionId = await seedConversation(4);
    const { items } = await listAll(table('conversations'), {
      partitionKeyValue: sessionId,
      limit: 10,
      descending: false,
    });
    expect(ids(items)).toEqual(['m00', 'm01', 'm02', 'm03']);
  });

  it('sortKeyBefore is strictly less than, in either direction', async () => {
    const sessionId = await seedConversation(6);
    const spec = table('conversations');
    const down = await listAll(spec, {
      partitionKeyValue: sessionId,
      limit: 10,
      descending: true,
      sortKeyBefore: 'm03',
    });
    expect(ids(down.items)).toEqual(['m02', 'm01', 'm00']);
    const up = await listAll(spec, {
      partitionKeyValue: sessionId,
      limit: 10,
      sortKeyBefore: 'm03',
    });
    expect(ids(up.items)).toEqual(['m00', 'm01', 'm02']);
    // A bound between two keys, and one below every key.
    const between = await listAll(spec, {
      partitionKeyValue: sessionId,
      limit: 10,
      descending: true,
      sortKeyBefore: 'm02~',
    });
    expect(ids(between.items)).toEqual(['m02', 'm01', 'm00']);
    const none = await store.list(spec, {
      partitionKeyValue: sessionId,
      limit: 10,
      sortKeyBefore: 'm00',
    });
    expect(none).toEqual({ items: [] });
  });

  it('pages back through history: each page strictly before the last one seen', async () => {
    const sessionId = await seedConversation(9);
    const spec = table('conversations');
    const seen: unknown[] = [];
    let before: string | undefined;
    for (let round = 0; round < 10; round++) {
      const page = await store.list(spec, {
        partitionKeyValue: sessionId,
        limit: 4,
        descending: true,
        ...(before !== undefined && { sortKeyBefore: before }),
      });
      if (page.items.length === 0) break;
      seen.push(...ids(page.items));
      before = page.items.at(-1)!.messageId as string;
    }
    expect(seen).toEqual(['m08', 'm07', 'm06', 'm05', 'm04', 'm03', 'm02', 'm01', 'm00']);
  });

  it('works on a numeric sort key and hides expired records', async () => {
    const day = randomUUID();
    const spec = table('events');
    for (let seq = 1; seq <= 6; seq++) {
      // Even sequence numbers expired a second ago.
      const expiresAt = seq % 2 === 0 ? NOW - 1 : NOW + 3600;
      await store.create(spec, { day, seq, expiresAt, version: 1 });
    }
    const { items } = await listAll(spec, {
      partitionKeyValue: day,
      limit: 2,
      descending: true,
      sortKeyBefore: 6,
    });
    expect(ids(items, 'seq')).toEqual([5, 3, 1]);
  });

  it('placeholder-like sort key values are data, not expression syntax', async () => {
    const sessionId = randomUUID();
    const spec = table('conversations');
    for (const messageId of [':v0', '#n0', 'a) OR (b']) {
      await store.create(spec, { sessionId, messageId, version: 1 });
    }
    const { items } = await listAll(spec, {
      partitionKeyValue: sessionId,
      limit: 10,
      descending: true,
      sortKeyBefore: 'a) OR (b',
    });
    expect(ids(items)).toEqual([':v0', '#n0']);
  });

  it('refuses paging options that need a partition or a sort key', async () => {
    await expectFailure(
      store.list(table('conversations'), { limit: 5, descending: true }),
      ValidationError,
      /need a partition key value/,
    );
    await expectFailure(
      store.list(table('conversations'), { limit: 5, sortKeyBefore: 'm01' }),
      ValidationError,
      /need a partition key value/,
    );
    await expectFailure(
      store.list(table('sessions'), { partitionKeyValue: 'x', limit: 5, sortKeyBefore: 'm01' }),
      ValidationError,
      /has none/,
    );
    await expectFailure(
      store.list(table('events'), { partitionKeyValue: 'x', limit: 5, sortKeyBefore: '3' }),
      ValidationError,
      /must be a number/,
    );
  });

  it('a scan without paging options still works', async () => {
    const page = await store.list(table('conversations'), { limit: 2 });
    expect(page.items.length).toBeGreaterThan(0);
  });
});
