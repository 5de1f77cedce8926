import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { DynamoDbRecordStore } from '../../src/adapters/aws/dynamodb-record-store.js';
import {
  ConflictError,
  NotFoundError,
  ReadOnlyError,
  UpstreamError,
  ValidationError,
} from '../../src/errors.js';
import type { RecordItem, TableSpec } from '../../src/ports/record-store.js';
import { MAX_ITEM_BYTES, itemSizeBytes } from '../../src/records/item-size.js';
import { RecordService } from '../../src/records/record-service.js';
import { TableRegistry } from '../../src/records/table-registry.js';
import { defaultTables } from '../../src/tables/tables-file.js';
import { expectFailure } from '../support/expect-failure.js';
import {
  connectWithTables,
  type RecordClient,
  recordBackends,
  type RecordBackend,
} from '../support/record-backends.js';

const ISO_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** The default tables, a read-only table and a table with a numeric sort key and its own TTL name. */
function tablesFor(prefix: string): TableSpec[] {
  return [
    ...defaultTables({
      sessions: `${prefix}-sessions`,
      conversations: `${prefix}-conversations`,
      analytics: `${prefix}-analytics`,
    }),
    {
      alias: 'reference',
      name: `${prefix}-reference`,
      partitionKey: { name: 'code', type: 'S' },
      access: 'read-only',
      ttlAttribute: 'ttl',
    },
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

const uid = (): string => randomUUID();

// DynamoDB Local (a JVM) takes seconds to boot: start every backend at once, so that its boot
// overlaps the run against dynalite, and close them all at the end.
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

describe.each(recordBackends)('RecordService on $name', (factory) => {
  let backend: RecordBackend;
  let client: RecordClient;
  let tables: TableSpec[];
  let registry: TableRegistry;
  let store: DynamoDbRecordStore;
  let service: RecordService;

  const table = (alias: string): TableSpec => registry.resolve(alias);

  /** Every record of a list, page by page, until the last page. */
  async function listPages(
    alias: string,
    options: { partitionKeyValue?: unknown; limit?: number },
    on: RecordService = service,
  ): Promise<RecordItem[][]> {
    const pages: RecordItem[][] = [];
    let cursor: string | undefined;
    do {
      const page = await on.list(alias, { ...options, ...(cursor !== undefined && { cursor }) });
      pages.push(page.items);
      cursor = page.cursor;
    } while (cursor !== undefined && pages.length < 100);
    expect(cursor, 'list never reached its last page').toBeUndefined();
    return pages;
  }

  beforeAll(async () => {
    backend = await backends.get(factory.name)!;
    tables = tablesFor(`contract-${uid().slice(0, 8)}`);
    client = await connectWithTables(backend.embedded ?? backend.endpoint, tables, backend.client);
    registry = new TableRegistry(tables);
    store = new DynamoDbRecordStore({ client });
    service = new RecordService({ tables: registry, store });
  });

  afterAll(() => {
    client?.destroy();
  });

  describe('table aliases and access', () => {
    it('refuses an alias that is not configured, listing the allowed ones', async () => {
      const error = await expectFailure(service.read('users', { record_id: 'x' }), ValidationError);
      expect(error.message).toContain('"users"');
      for (const alias of ['sessions', 'conversations', 'analytics', 'reference', 'events']) {
        expect(error.message).toContain(alias);
      }
    });

    it('refuses ARNs, physical table names and path-like names', async () => {
      const physical = table('sessions').name;
      const refused = [
        `arn:aws:dynamodb:us-east-1:123456789012:table/${physical}`,
        physical,
        table('conversations').name,
        '../sessions',
        'sessions/..',
        '..',
        'Sessions',
        ' sessions',
      ];
      for (const alias of refused) {
        await expectFailure(
          service.read(alias, { record_id: 'x' }),
          ValidationError,
          /is not a configured table/,
        );
        await expectFailure(
          service.create(alias, { sessionId: 'x' }),
          ValidationError,
          /is not a configured table/,
        );
        await expectFailure(service.list(alias, {}), ValidationError, /is not a configured table/);
      }
    });

    it('a configured table missing from the store is an UpstreamError that hides its name', async () => {
      const missing: TableSpec = {
        ...table('sessions'),
        alias: 'ghost',
        name: `${table('sessions').name}-missing`,
      };
      const ghost = new RecordService({ tables: new TableRegistry([missing]), store });
      const error = await expectFailure(
        ghost.read('ghost', { record_id: 'x' }),
        UpstreamError,
        /"ghost" does not exist/,
      );
      expect(error.message).not.toContain(missing.name);
      await expectFailure(ghost.create('ghost', {}), UpstreamError);
      await expectFailure(ghost.list('ghost', {}), UpstreamError);
    });

    it('refuses writes to a read-only table but still reads and lists it', async () => {
      // Seeded through the store, which leaves access rules to the service.
      await store.create(table('reference'), { code: 'eur', label: 'Euro', version: 1 });

      await expectFailure(service.create('reference', { code: 'usd' }), ReadOnlyError, /read-only/);
      await expectFailure(
        service.update('reference', { record_id: 'eur' }, { label: 'x' }),
        ReadOnlyError,
      );
      await expectFailure(service.delete('reference', { record_id: 'eur' }), ReadOnlyError);

      expect(await service.read('reference', { record_id: 'eur' })).toEqual({
        code: 'eur',
        label: 'Euro',
        version: 1,
      });
      expect((await service.list('reference', {})).items).toEqual([
        { code: 'eur', label: 'Euro', version: 1 },
      ]);
      await expectFailure(service.read('reference', { record_id: 'usd' }), NotFoundError);
    });
  });

  describe('create', () => {
    it('never overwrites: an existing key is a ConflictError and the original stays', async () => {
      const id = uid();
      const original = await service.create('sessions', { sessionId: id, owner: 'alice' });
      await expectFailure(
        service.create('sessions', { sessionId: id, owner: 'mallory' }),
        ConflictError,
        id,
      );
      expect(await service.read('sessions', { record_id: id })).toEqual(original);
    });

    it('applies the conflict rule to the full composite key', async () => {
      const sessionId = uid();
      await service.create('conversations', { sessionId, messageId: 'm1', text: 'first' });
      await service.create('conversations', { sessionId, messageId: 'm2', text: 'second' });
      await expectFailure(
        service.create('conversations', { sessionId, messageId: 'm1', text: 'again' }),
        ConflictError,
      );
      expect(
        (await service.read('conversations', { key: { sessionId, messageId: 'm1' } })).text,
      ).toBe('first');
    });

    it('generates a UUID when the single string key is missing', async () => {
      const created = await service.create('sessions', { topic: 'billing' });
      expect(created.sessionId).toMatch(UUID);
      expect(await service.read('sessions', { record_id: created.sessionId as string })).toEqual(
        created,
      );
    });

    it('requires both key attributes on composite-key tables, naming the missing one', async () => {
      await expectFailure(
        service.create('conversations', { sessionId: uid(), text: 'hi' }),
        ValidationError,
        /data\.messageId: required/,
      );
      await expectFailure(
        service.create('conversations', { messageId: 'm1', text: 'hi' }),
        ValidationError,
        /data\.sessionId: required/,
      );
      await expectFailure(
        service.create('analytics', { date: '2025-01-01' }),
        ValidationError,
        /data\.eventId/,
      );
      await expectFailure(
        service.create('events', { day: 'mon' }),
        ValidationError,
        /data\.seq: required/,
      );
    });

    it('checks key types: strings must be non-empty strings, numbers numbers', async () => {
      await expectFailure(
        service.create('sessions', { sessionId: 42 }),
        ValidationError,
        /data\.sessionId: must be a non-empty string/,
      );
      await expectFailure(
        service.create('sessions', { sessionId: '' }),
        ValidationError,
        /data\.sessionId/,
      );
      await expectFailure(
        service.create('events', { day: 'mon', seq: '1' }),
        ValidationError,
        /data\.seq: must be a number/,
      );
    });

    it('sets created_at and version 1 and returns the stored record', async () => {
      const at = new Date('2030-05-06T07:08:09.123Z');
      const timed = new RecordService({ tables: registry, store, now: () => at });
      const created = await timed.create('sessions', {
        sessionId: uid(),
        nested: { list: [1, 'two', null, true] },
      });
      expect(created.created_at).toBe('2030-05-06T07:08:09.123Z');
      expect(created.version).toBe(1);
      expect(created).not.toHaveProperty('updated_at');
      expect(await service.read('sessions', { record_id: created.sessionId as string })).toEqual(
        created,
      );
    });

    it('refuses managed attributes in data', async () => {
      for (const name of ['version', 'created_at', 'updated_at']) {
        const id = uid();
        await expectFailure(
          service.create('sessions', { sessionId: id, [name]: 7 }),
          ValidationError,
          `data.${name}: is managed by the server`,
        );
        await expectFailure(service.read('sessions', { record_id: id }), NotFoundError);
      }
    });

    it('stores 32 levels of nesting (the attribute and 31 maps or lists) and refuses more', async () => {
      const maps = (levels: number): RecordItem =>
        levels === 1 ? { leaf: 'x' } : { down: maps(levels - 1) };
      const lists = (levels: number): unknown[] => (levels === 1 ? ['x'] : [lists(levels - 1)]);
      const created = await service.create('sessions', { maps: maps(31), lists: lists(31) });
      const read = await service.read('sessions', { record_id: created.sessionId as string });
      expect(read).toMatchObject({ maps: maps(31), lists: lists(31) });
      await expectFailure(
        service.create('sessions', { deep: maps(32) }),
        ValidationError,
        /nested deeper than 32 levels/,
      );
      await expectFailure(
        service.create('sessions', { deep: lists(32) }),
        ValidationError,
        /nested deeper than 32 levels/,
      );
      await expectFailure(
        service.update(
          'sessions',
          { record_id: created.sessionId as string },
          { deep: [[maps(30)]] },
        ),
        ValidationError,
        /data\.deep\.0\.0\./,
      );
    });

    it('stores the numbers DynamoDB can hold and refuses the others with a ValidationError', async () => {
      const numbers = {
        small: 1e-130,
        tiny: -1e-130,
        safe: Number.MAX_SAFE_INTEGER,
        negative: -Number.MAX_SAFE_INTEGER,
        fraction: 0.1 + 0.2,
      };
      const created = await service.create('sessions', numbers);
      expect(
        await service.read('sessions', { record_id: created.sessionId as string }),
      ).toMatchObject(numbers);
      for (const value of [1e-131, -5e-324, 2 ** 53, -(2 ** 60), 1e300]) {
        await expectFailure(service.create('sessions', { value }), ValidationError, /data\.value/);
        await expectFailure(
          service.update(
            'sessions',
            { record_id: created.sessionId as string },
            { nested: [{ value }] },
          ),
          ValidationError,
          /data\.nested\.0\.value/,
        );
      }
      for (const seq of [2 ** 60, 1e-200]) {
        await expectFailure(
          service.read('events', { key: { day: 'd', seq } }),
          ValidationError,
          /key\.seq/,
        );
        await expectFailure(
          service.create('events', { day: 'd', seq }),
          ValidationError,
          /data\.seq/,
        );
      }
    });

    it('stores a numeric sort key as a number', async () => {
      const day = uid();
      for (const seq of [10, 2, 1]) await service.create('events', { day, seq, label: `e${seq}` });
      const { items } = await service.list('events', { partitionKeyValue: day });
      expect(items.map((i) => i.seq)).toEqual([1, 2, 10]);
      expect((await service.read('events', { key: { day, seq: 2 } })).label).toBe('e2');
    });
  });

  describe('read', () => {
    it('a missing record is a NotFoundError naming the key', async () => {
      await expectFailure(
        service.read('sessions', { record_id: 'no-such-session' }),
        NotFoundError,
        /no-such-session/,
      );
      await expectFailure(
        service.read('conversations', { key: { sessionId: uid(), messageId: 'm' } }),
        NotFoundError,
      );
    });

    it('takes record_id on a single-string-key table and key as well', async () => {
      const { sessionId } = await service.create('sessions', { note: 'x' });
      const byId = await service.read('sessions', { record_id: sessionId as string });
      expect(byId.note).toBe('x');
      expect(await service.read('sessions', { key: { sessionId } })).toEqual(byId);
    });

    it('refuses record_id on composite-key tables, naming the key', async () => {
      const error = await expectFailure(
        service.read('conversations', { record_id: 'abc' }),
        ValidationError,
      );
      expect(error.message).toContain('sessionId');
      expect(error.message).toContain('messageId');
      await expectFailure(
        service.read('events', { record_id: 'abc' }),
        ValidationError,
        /day, seq/,
      );
    });

    it('refuses key and record_id together, and neither', async () => {
      await expectFailure(
        service.read('sessions', { key: { sessionId: 'a' }, record_id: 'a' }),
        ValidationError,
        /not both/,
      );
      await expectFailure(service.read('sessions', {}), ValidationError, /key: required/);
    });

    it('refuses keys with extra or missing attributes or wrong types', async () => {
      const sessionId = uid();
      await service.create('conversations', { sessionId, messageId: 'm1' });
      await expectFailure(
        service.read('conversations', { key: { sessionId, messageId: 'm1', text: 'x' } }),
        ValidationError,
        /key\.text: not a key attribute/,
      );
      await expectFailure(
        service.read('conversations', { key: { sessionId } }),
        ValidationError,
        /key\.messageId: required/,
      );
      await expectFailure(
        service.read('conversations', { key: { messageId: 'm1' } }),
        ValidationError,
        /key\.sessionId: required/,
      );
      await expectFailure(
        service.read('conversations', { key: { sessionId, messageId: 1 } }),
        ValidationError,
        /key\.messageId: must be a non-empty string/,
      );
      await expectFailure(
        service.read('events', { key: { day: 'mon', seq: '1' } }),
        ValidationError,
        /key\.seq: must be a number/,
      );
      await expectFailure(
        service.read('events', { key: { day: 'mon', seq: Number.NaN } }),
        ValidationError,
        /key\.seq/,
      );
      await expectFailure(
        service.read('sessions', { key: { sessionId: 'x'.repeat(1025) } }),
        ValidationError,
        /1024 bytes/,
      );
    });
  });

  describe('update', () => {
    const oddNames = [
      'a.b',
      'with space',
      'size',
      'status',
      'name',
      'has#hash',
      'has:colon',
      'paren)',
      '(paren',
      'a=b',
      'a, b',
      'emoji 😀',
      '#n0',
      ':v0',
      '#n1',
      ':v1',
      'SET',
      'ttl',
    ];

    it('stores attribute names literally, whatever they contain', async () => {
      const id = uid();
      await service.create('sessions', { sessionId: id });
      // Values that look like expression syntax must stay values too.
      const data = Object.fromEntries(
        oddNames.map((name, i) => [name, i % 2 ? `:v${i}` : `#n${i} = ${name}`]),
      );
      const updated = await service.update('sessions', { record_id: id }, data);
      const read = await service.read('sessions', { record_id: id });
      for (const name of oddNames) {
        expect(read[name], name).toBe(data[name]);
        expect(updated[name], name).toBe(data[name]);
      }
      expect(Object.keys(read).sort()).toEqual(
        [
          ...oddNames,
          'sessionId',
          'created_at',
          'created_by',
          'updated_at',
          'updated_by',
          'version',
        ].sort(),
      );
    });

    it('creates with the same odd names and reads them back exactly', async () => {
      const data: RecordItem = Object.fromEntries(oddNames.map((name) => [name, { inner: name }]));
      const created = await service.create('sessions', data);
      const read = await service.read('sessions', { record_id: created.sessionId as string });
      for (const name of oddNames) expect(read[name], name).toEqual({ inner: name });
    });

    it('refuses changes to key attributes', async () => {
      const sessionId = uid();
      await service.create('conversations', { sessionId, messageId: 'm1', text: 'a' });
      await expectFailure(
        service.update(
          'conversations',
          { key: { sessionId, messageId: 'm1' } },
          { messageId: 'm2' },
        ),
        ValidationError,
        /data\.messageId: is part of the key/,
      );
      await expectFailure(
        service.update(
          'conversations',
          { key: { sessionId, messageId: 'm1' } },
          { sessionId: 'other', text: 'b' },
        ),
        ValidationError,
        /data\.sessionId/,
      );
      expect(
        (await service.read('conversations', { key: { sessionId, messageId: 'm1' } })).text,
      ).toBe('a');
    });

    it('refuses an empty update and managed attributes', async () => {
      const { sessionId } = await service.create('sessions', {});
      await expectFailure(
        service.update('sessions', { record_id: sessionId as string }, {}),
        ValidationError,
        /data: is empty/,
      );
      for (const name of ['version', 'created_at', 'updated_at']) {
        await expectFailure(
          service.update('sessions', { record_id: sessionId as string }, { [name]: 9 }),
          ValidationError,
          `data.${name}`,
        );
      }
      expect((await service.read('sessions', { record_id: sessionId as string })).version).toBe(1);
    });

    it('a missing record is a NotFoundError, and nothing gets created', async () => {
      const id = uid();
      await expectFailure(
        service.update('sessions', { record_id: id }, { a: 1 }),
        NotFoundError,
        id,
      );
      await expectFailure(
        service.update('sessions', { record_id: id }, { a: 1 }, 1),
        NotFoundError,
      );
      await expectFailure(service.read('sessions', { record_id: id }), NotFoundError);
      const sessionId = uid();
      await service.create('conversations', { sessionId, messageId: 'm1' });
      await expectFailure(
        service.update('conversations', { key: { sessionId, messageId: 'm2' } }, { a: 1 }),
        NotFoundError,
      );
      await expectFailure(
        service.read('conversations', { key: { sessionId, messageId: 'm2' } }),
        NotFoundError,
      );
    });

    it('an expected_version mismatch is a ConflictError and the record stays as it was', async () => {
      const created = await service.create('sessions', { state: 'open' });
      const key = { record_id: created.sessionId as string };
      const error = await expectFailure(
        service.update('sessions', key, { state: 'closed' }, 2),
        ConflictError,
      );
      expect(error.message).toMatch(/version 1, not the expected_version 2/);
      expect(await service.read('sessions', key)).toEqual(created);
    });

    it('bumps version, sets updated_at, keeps other attributes and returns the new record', async () => {
      const times = [new Date('2031-01-01T00:00:00.000Z'), new Date('2031-01-02T00:00:00.000Z')];
      let tick = 0;
      const timed = new RecordService({
        tables: registry,
        store,
        now: () => times[Math.min(tick++, 1)]!,
      });
      const created = await timed.create('sessions', {
        state: 'open',
        owner: 'alice',
        tags: ['a'],
      });
      const key = { record_id: created.sessionId as string };

      const updated = await timed.update(
        'sessions',
        key,
        { state: 'closed', extra: { deep: [1] } },
        1,
      );
      expect(updated).toEqual({
        ...created,
        state: 'closed',
        extra: { deep: [1] },
        version: 2,
        updated_at: '2031-01-02T00:00:00.000Z',
        updated_by: 'operator',
      });
      expect(await service.read('sessions', key)).toEqual(updated);

      const again = await service.update('sessions', key, { state: 'archived' });
      expect(again.version).toBe(3);
      expect(again.updated_at).toMatch(ISO_TIME);
      expect(again.owner).toBe('alice');
      expect(again.created_at).toBe('2031-01-01T00:00:00.000Z');
    });
  });

  describe('delete', () => {
    it('returns the deleted record and removes it', async () => {
      const created = await service.create('sessions', { note: 'bye' });
      const key = { record_id: created.sessionId as string };
      expect(await service.delete('sessions', key)).toEqual(created);
      await expectFailure(service.read('sessions', key), NotFoundError);
    });

    it('a missing record is a NotFoundError', async () => {
      await expectFailure(service.delete('sessions', { record_id: uid() }), NotFoundError);
      await expectFailure(
        service.delete('events', { key: { day: uid(), seq: 1 } }, 1),
        NotFoundError,
      );
    });

    it('an expected_version mismatch is a ConflictError and the record stays', async () => {
      const created = await service.create('sessions', { note: 'keep' });
      const key = { record_id: created.sessionId as string };
      await expectFailure(service.delete('sessions', key, 5), ConflictError, /expected_version 5/);
      expect(await service.read('sessions', key)).toEqual(created);
      expect(await service.delete('sessions', key, 1)).toEqual(created);
      await expectFailure(service.read('sessions', key), NotFoundError);
    });
  });

  describe('list', () => {
    it('by partition key returns that partition only', async () => {
      const [a, b] = [uid(), uid()];
      for (const m of ['m1', 'm2', 'm3'])
        await service.create('conversations', { sessionId: a, messageId: m });
      await service.create('conversations', { sessionId: b, messageId: 'm1' });
      const page = await service.list('conversations', { partitionKeyValue: a });
      expect(page.items.map((i) => i.messageId)).toEqual(['m1', 'm2', 'm3']);
      expect(page.items.every((i) => i.sessionId === a)).toBe(true);
      expect(page.cursor).toBeUndefined();
      expect((await service.list('conversations', { partitionKeyValue: uid() })).items).toEqual([]);
    });

    it('without a partition key scans the table', async () => {
      const [a, b] = [uid(), uid()];
      await service.create('analytics', { date: a, eventId: 'e1' });
      await service.create('analytics', { date: b, eventId: 'e1' });
      const all = (await listPages('analytics', { limit: 100 })).flat();
      expect(all.map((i) => i.date)).toEqual(expect.arrayContaining([a, b]));
    });

    it('checks the partition key value type', async () => {
      await expectFailure(
        service.list('conversations', { partitionKeyValue: 5 }),
        ValidationError,
        /partition_key_value/,
      );
      await expectFailure(
        service.list('events', { partitionKeyValue: '' }),
        ValidationError,
        /partition_key_value/,
      );
    });

    it('bounds limit to 1..100 and defaults to 25', async () => {
      for (const limit of [0, 101, -1, 2.5]) {
        await expectFailure(
          service.list('sessions', { limit }),
          ValidationError,
          /limit: must be an integer from 1 to 100/,
        );
      }
      const sessionId = uid();
      for (let i = 0; i < 30; i++) {
        await service.create('conversations', {
          sessionId,
          messageId: `m${String(i).padStart(2, '0')}`,
        });
      }
      const first = await service.list('conversations', { partitionKeyValue: sessionId });
      expect(first.items).toHaveLength(25);
      expect(first.cursor).toBeDefined();
      const oneHundred = await service.list('conversations', {
        partitionKeyValue: sessionId,
        limit: 100,
      });
      expect(oneHundred.items).toHaveLength(30);
      expect(oneHundred.cursor).toBeUndefined();
    });

    it('cursor pagination visits every record exactly once (query)', async () => {
      const day = uid();
      const seqs = Array.from({ length: 30 }, (_, i) => i * 3);
      await Promise.all(seqs.map((seq) => service.create('events', { day, seq })));
      const pages = await listPages('events', { partitionKeyValue: day, limit: 7 });
      expect(pages.length).toBeGreaterThanOrEqual(5);
      for (const page of pages) expect(page.length).toBeLessThanOrEqual(7);
      expect(pages.flat().map((i) => i.seq)).toEqual(seqs);
    });

    it('cursor pagination visits every record exactly once (scan)', async () => {
      const ids = new Set<string>();
      for (let i = 0; i < 30; i++)
        ids.add((await service.create('sessions', { batch: 'scan' })).sessionId as string);
      const seen = (await listPages('sessions', { limit: 7 }))
        .flat()
        .map((i) => i.sessionId as string);
      expect(new Set(seen).size, 'a record was listed twice').toBe(seen.length);
      for (const id of ids) expect(seen).toContain(id);
    });

    it('refuses tampered cursors and cursors from another table', async () => {
      const sessionId = uid();
      for (const m of ['m1', 'm2', 'm3'])
        await service.create('conversations', { sessionId, messageId: m });
      const { cursor } = await service.list('conversations', {
        partitionKeyValue: sessionId,
        limit: 1,
      });
      expect(cursor).toBeDefined();
      const valid = cursor!;
      const envelope = JSON.parse(Buffer.from(valid, 'base64url').toString('utf8')) as Record<
        string,
        unknown
      >;
      const forge = (value: unknown): string =>
        Buffer.from(JSON.stringify(value), 'utf8').toString('base64url');
      const list = (alias: string, c: string): Promise<unknown> =>
        service.list(alias, { partitionKeyValue: sessionId, cursor: c });

      const tampered = [
        valid.slice(0, -3),
        `${valid.slice(0, 5)}!!${valid.slice(7)}`,
        valid.split('').reverse().join(''),
        'not a cursor',
        forge({ ...envelope, t: 'analytics' }),
        forge({ ...envelope, v: 2 }),
        forge({ ...envelope, k: { ...(envelope.k as object), extra: 'x' } }),
        forge({ ...envelope, k: { sessionId } }),
        forge({ ...envelope, k: { sessionId, messageId: { S: 'm1' } } }),
        forge([envelope]),
      ];
      for (const c of tampered)
        await expectFailure(list('conversations', c), ValidationError, /cursor: not a cursor/);
      // The same cursor is refused on another table, even one with the same key names.
      await expectFailure(service.list('analytics', { cursor: valid }), ValidationError, /cursor/);
      await expectFailure(service.list('sessions', { cursor: valid }), ValidationError, /cursor/);
      // A cursor key value of the wrong type for the table's key.
      const day = uid();
      await service.create('events', { day, seq: 1 });
      await service.create('events', { day, seq: 2 });
      const events = await service.list('events', { partitionKeyValue: day, limit: 1 });
      const eventEnvelope = JSON.parse(
        Buffer.from(events.cursor!, 'base64url').toString('utf8'),
      ) as Record<string, unknown>;
      await expectFailure(
        service.list('events', {
          partitionKeyValue: day,
          cursor: forge({ ...eventEnvelope, k: { day, seq: '1' } }),
        }),
        ValidationError,
        /cursor/,
      );
      // A cursor from one partition's list does not continue another partition's list.
      const other = uid();
      await service.create('conversations', { sessionId: other, messageId: 'm1' });
      await expectFailure(
        service.list('conversations', { partitionKeyValue: other, cursor: valid }),
        ValidationError,
        /cursor/,
      );
      // The untouched cursor still works.
      const next = await service.list('conversations', {
        partitionKeyValue: sessionId,
        cursor: valid,
        limit: 5,
      });
      expect(next.items.map((i) => i.messageId)).toEqual(['m2', 'm3']);
    });
  });

  describe('identifiers are stored exactly or refused (both backends agree)', () => {
    // Built by JSON.parse, as every transport does, so `__proto__` is an own property.
    const json = (text: string): RecordItem => JSON.parse(text) as RecordItem;
    const LONE = ['\uDC00', '\uD800', 'a\uD83Dz', '\uDE00\uD83D'];

    it('refuses __proto__ as an attribute name, top level and nested, on create and update', async () => {
      const id = uid();
      for (const data of [
        '{"__proto__": {"x": 1}}',
        '{"__proto__": "v"}',
        '{"m": {"__proto__": 1}}',
        '{"l": [{"deep": {"__proto__": true}}]}',
      ]) {
        await expectFailure(
          service.create('sessions', json(data)),
          ValidationError,
          /__proto__.*reserved/,
        );
      }
      await service.create('sessions', { sessionId: id, a: 1 });
      for (const data of ['{"__proto__": {"a": 2}}', '{"m": {"__proto__": 2}}']) {
        await expectFailure(
          service.update('sessions', { record_id: id }, json(data)),
          ValidationError,
          /__proto__.*reserved/,
        );
      }
      // Nothing changed: no version bump for a refused update.
      expect(await service.read('sessions', { record_id: id })).toMatchObject({ a: 1, version: 1 });
    });

    it('stores names of Object.prototype members exactly, top level and nested', async () => {
      const names = ['constructor', 'toString', 'hasOwnProperty', 'valueOf', 'isPrototypeOf'];
      const data: RecordItem = {};
      for (const name of names) data[name] = `v-${name}`;
      data.nested = Object.fromEntries(names.map((n) => [n, { [n]: n.length }]));
      const created = await service.create('sessions', json(JSON.stringify(data)));
      const read = await service.read('sessions', { record_id: created.sessionId as string });
      expect(read).toEqual(created);
      expect(read).toMatchObject(data);
      const updated = await service.update(
        'sessions',
        { record_id: created.sessionId as string },
        json('{"constructor": {"constructor": "again"}, "toString": 7}'),
      );
      expect(updated).toMatchObject({
        constructor: { constructor: 'again' },
        toString: 7,
        version: 2,
      });
      expect(await service.read('sessions', { record_id: created.sessionId as string })).toEqual(
        updated,
      );
    });

    it('refuses ill-formed UTF-16 in key values, attribute names (nested too) and aliases', async () => {
      const day = uid();
      for (const lone of LONE) {
        await expectFailure(
          service.create('sessions', { sessionId: `report${lone}.md` }),
          ValidationError,
          /data\.sessionId: contains an unpaired UTF-16 surrogate/,
        );
        await expectFailure(
          service.read('sessions', { record_id: `x${lone}` }),
          ValidationError,
          /record_id: contains an unpaired/,
        );
        await expectFailure(
          service.read('conversations', { key: { sessionId: 's', messageId: lone } }),
          ValidationError,
          /key\.messageId: contains an unpaired/,
        );
        await expectFailure(
          service.list('events', { partitionKeyValue: `${day}${lone}` }),
          ValidationError,
          /partition_key_value: contains an unpaired/,
        );
        await expectFailure(
          service.create('sessions', { [`name${lone}`]: 1 }),
          ValidationError,
          /unpaired UTF-16 surrogate/,
        );
        await expectFailure(
          service.create('sessions', { m: { ok: { [lone]: 1 } } }),
          ValidationError,
          /data\.m\.ok\[.*\]: contains an unpaired/,
        );
        await expectFailure(
          service.update('sessions', { record_id: 'x' }, { [lone]: 1 }),
          ValidationError,
          /unpaired/,
        );
        await expectFailure(service.list(`sessions${lone}`, {}), ValidationError, /^table: /);
      }
      // The well-formed neighbour (U+FFFD) is an ordinary, distinct key.
      const replaced = await service.create('sessions', { sessionId: `report\uFFFD.md` });
      expect(replaced.sessionId).toBe('report\uFFFD.md');
      const pair = await service.create('sessions', {
        sessionId: 'emoji \uD83D\uDE00',
        '\uD83D\uDE00': 1,
      });
      expect(await service.read('sessions', { record_id: 'emoji \uD83D\uDE00' })).toEqual(pair);
    });

    it('refuses attribute names over 65,535 UTF-8 bytes, top level and nested', async () => {
      const long = 'é'.repeat(32_768); // 65,536 bytes, 32,768 characters
      await expectFailure(
        service.create('sessions', { [long]: 1 }),
        ValidationError,
        /65536 bytes in UTF-8, over DynamoDB's limit of 65535/,
      );
      await expectFailure(
        service.create('sessions', { m: { [long]: 1 } }),
        ValidationError,
        /over DynamoDB's limit of 65535/,
      );
      await expectFailure(
        service.update('sessions', { record_id: 'x' }, { [long]: 1 }),
        ValidationError,
        /over DynamoDB's limit/,
      );
    });

    it('refuses a forged cursor whose key is out of range or ill-formed', async () => {
      const day = uid();
      await service.create('events', { day, seq: 1 });
      await service.create('events', { day, seq: 2 });
      const forge = (k: Record<string, unknown>): string =>
        Buffer.from(
          `{"v":1,"t":"events","k":${JSON.stringify(k).replace('"HUGE"', '1e400')}}`,
        ).toString('base64url');
      for (const k of [
        { day, seq: 'HUGE' },
        { day, seq: 2 ** 60 },
        { day, seq: 1e-200 },
        { day: `${day}\uDC00`, seq: 1 },
        { day: '', seq: 1 },
      ]) {
        await expectFailure(
          service.list('events', { cursor: forge(k) }),
          ValidationError,
          /cursor: not a cursor/,
        );
      }
    });
  });

  describe('item size', () => {
    const at = new Date('2030-01-01T00:00:00.000Z');
    const timed = (): RecordService =>
      new RecordService({ tables: registry, store, now: () => at });

    it('refuses an item over 400 KB on create before calling the store', async () => {
      const spy = vi.spyOn(store, 'create');
      try {
        const id = uid();
        await expectFailure(
          service.create('sessions', { sessionId: id, blob: 'x'.repeat(MAX_ITEM_BYTES) }),
          ValidationError,
          /400 KB/,
        );
        expect(spy).not.toHaveBeenCalled();
        await expectFailure(service.read('sessions', { record_id: id }), NotFoundError);
      } finally {
        spy.mockRestore();
      }
    });

    it('refuses changes over 400 KB on update before calling the store', async () => {
      const created = await service.create('sessions', { small: true });
      const key = { record_id: created.sessionId as string };
      const spy = vi.spyOn(store, 'update');
      try {
        await expectFailure(
          service.update('sessions', key, { blob: '€'.repeat(MAX_ITEM_BYTES / 3) }),
          ValidationError,
          /400 KB/,
        );
        expect(spy).not.toHaveBeenCalled();
      } finally {
        spy.mockRestore();
      }
      expect(await service.read('sessions', key)).toEqual(created);
    });

    it('stores an item of exactly 400 KB by DynamoDB count and refuses one byte more', async () => {
      const sessionId = uid();
      const base: RecordItem = {
        sessionId,
        blob: '',
        created_at: at.toISOString(),
        created_by: 'operator',
        version: 1,
      };
      const room = MAX_ITEM_BYTES - itemSizeBytes(base);
      const created = await timed().create('sessions', { sessionId, blob: 'x'.repeat(room) });
      expect(itemSizeBytes(created)).toBe(MAX_ITEM_BYTES);
      expect((await service.read('sessions', { record_id: sessionId })).blob).toHaveLength(room);
      await expectFailure(
        timed().create('sessions', { sessionId: uid(), blob: 'x'.repeat(room + 1) }),
        ValidationError,
      );
    });

    it('an update that grows the stored item past 400 KB is a ValidationError and changes nothing', async () => {
      const created = await service.create('sessions', { a: 'a'.repeat(250_000) });
      const key = { record_id: created.sessionId as string };
      await expectFailure(
        service.update('sessions', key, { b: 'b'.repeat(250_000) }),
        ValidationError,
        /400 KB/,
      );
      expect(await service.read('sessions', key)).toEqual(created);
    });
  });

  describe('TTL', () => {
    const NOW = 1_900_000_000;
    let clock = NOW;
    let ttlStore: DynamoDbRecordStore;
    let ttlService: RecordService;

    beforeAll(() => {
      ttlStore = new DynamoDbRecordStore({ client, nowSeconds: () => clock });
      ttlService = new RecordService({
        tables: registry,
        store: ttlStore,
        now: () => new Date(clock * 1000),
      });
    });
    beforeEach(() => {
      clock = NOW;
    });

    it('records whose ttl has passed are absent to read, update and delete', async () => {
      for (const ttl of [NOW - 1, NOW, 0]) {
        const key = {
          record_id: (await ttlService.create('sessions', { ttl })).sessionId as string,
        };
        await expectFailure(ttlService.read('sessions', key), NotFoundError);
        await expectFailure(ttlService.update('sessions', key, { a: 1 }), NotFoundError);
        await expectFailure(ttlService.update('sessions', key, { a: 1 }, 1), NotFoundError);
        await expectFailure(ttlService.delete('sessions', key), NotFoundError);
        await expectFailure(ttlService.delete('sessions', key, 1), NotFoundError);
      }
    });

    it('a record disappears once the clock passes its ttl', async () => {
      const created = await ttlService.create('sessions', { ttl: NOW + 60 });
      const key = { record_id: created.sessionId as string };
      expect(await ttlService.read('sessions', key)).toEqual(created);
      clock = NOW + 61;
      await expectFailure(ttlService.read('sessions', key), NotFoundError);
    });

    it('expired records are not listed', async () => {
      const sessionId = uid();
      const live = ['live1', 'live2', 'live3'];
      for (const [i, messageId] of [
        'dead1',
        'live1',
        'dead2',
        'live2',
        'dead3',
        'live3',
      ].entries()) {
        await ttlService.create('conversations', {
          sessionId,
          messageId,
          ttl: i % 2 ? NOW + 100 : NOW - 100,
        });
      }
      const { items } = await ttlService.list('conversations', { partitionKeyValue: sessionId });
      expect(items.map((i) => i.messageId)).toEqual(live);
      const pages = await listPages(
        'conversations',
        { partitionKeyValue: sessionId, limit: 1 },
        ttlService,
      );
      expect(pages.flat().map((i) => i.messageId)).toEqual(live);
      const scanned = (await listPages('conversations', { limit: 100 }, ttlService)).flat();
      expect(
        scanned
          .filter((i) => i.sessionId === sessionId)
          .map((i) => i.messageId)
          .sort(),
      ).toEqual(live);
    });

    it('a create over an expired record succeeds', async () => {
      const id = uid();
      await ttlService.create('sessions', { sessionId: id, ttl: NOW - 5, old: true });
      const fresh = await ttlService.create('sessions', {
        sessionId: id,
        ttl: NOW + 500,
        fresh: true,
      });
      expect(fresh.version).toBe(1);
      const read = await ttlService.read('sessions', { record_id: id });
      expect(read).toEqual(fresh);
      expect(read).not.toHaveProperty('old');
      await expectFailure(ttlService.create('sessions', { sessionId: id }), ConflictError);
    });

    it('a future ttl or a non-numeric ttl does not hide the record', async () => {
      const sessionId = uid();
      for (const [messageId, ttl] of [
        ['future', NOW + 1],
        ['text', '1'],
        ['nested', { at: 1 }],
        ['none', undefined],
      ] as const) {
        const data: RecordItem = { sessionId, messageId };
        if (ttl !== undefined) data.ttl = ttl;
        await ttlService.create('conversations', data);
        const key = { key: { sessionId, messageId } };
        expect((await ttlService.read('conversations', key)).messageId).toBe(messageId);
        expect((await ttlService.update('conversations', key, { seen: true })).version).toBe(2);
      }
      const { items } = await ttlService.list('conversations', { partitionKeyValue: sessionId });
      expect(items.map((i) => i.messageId).sort()).toEqual(['future', 'nested', 'none', 'text']);
      await expectFailure(
        ttlService.create('conversations', { sessionId, messageId: 'text' }),
        ConflictError,
      );
      expect(
        (await ttlService.delete('conversations', { key: { sessionId, messageId: 'text' } })).ttl,
      ).toBe('1');
    });

    it("uses the table's own TTL attribute name", async () => {
      const day = uid();
      await ttlService.create('events', { day, seq: 1, expiresAt: NOW - 1 });
      await ttlService.create('events', { day, seq: 2, ttl: NOW - 1 });
      await expectFailure(ttlService.read('events', { key: { day, seq: 1 } }), NotFoundError);
      expect((await ttlService.read('events', { key: { day, seq: 2 } })).seq).toBe(2);
      expect(
        (await ttlService.list('events', { partitionKeyValue: day })).items.map((i) => i.seq),
      ).toEqual([2]);
    });
  });

  describe('concurrency', () => {
    async function raceUpdates(writers: number): Promise<void> {
      const created = await service.create('sessions', { writer: -1 });
      const key = { record_id: created.sessionId as string };
      const results = await Promise.allSettled(
        Array.from({ length: writers }, (_, writer) =>
          service.update('sessions', key, { writer }, 1),
        ),
      );
      const winners = results.flatMap((r, writer) => (r.status === 'fulfilled' ? [writer] : []));
      expect(winners).toHaveLength(1);
      for (const r of results) {
        if (r.status === 'rejected') expect(r.reason).toBeInstanceOf(ConflictError);
      }
      const final = await service.read('sessions', key);
      expect(final.version).toBe(2);
      expect(final.writer).toBe(winners[0]);
    }

    it('two updates with the same expected_version: exactly one wins', () => raceUpdates(2));

    it('twenty updates with the same expected_version: exactly one wins', () => raceUpdates(20));

    it('twenty creates of the same key: exactly one wins', async () => {
      const id = uid();
      const results = await Promise.allSettled(
        Array.from({ length: 20 }, (_, writer) =>
          service.create('sessions', { sessionId: id, writer }),
        ),
      );
      const winners = results.flatMap((r, writer) => (r.status === 'fulfilled' ? [writer] : []));
      expect(winners).toHaveLength(1);
      for (const r of results) {
        if (r.status === 'rejected') expect(r.reason).toBeInstanceOf(ConflictError);
      }
      const final = await service.read('sessions', { record_id: id });
      expect(final).toMatchObject({ version: 1, writer: winners[0] });
    });
  });
});
