import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DynamoDbRecordStore } from '../../src/adapters/aws/dynamodb-record-store.js';
import { ForbiddenError, NotFoundError, ValidationError } from '../../src/errors.js';
import { ANONYMOUS_CALLER, TRUSTED_CALLER, type Caller } from '../../src/identity/caller.js';
import type { TableSpec } from '../../src/ports/record-store.js';
import { RecordService } from '../../src/records/record-service.js';
import { TableRegistry } from '../../src/records/table-registry.js';
import { expectFailure } from '../support/expect-failure.js';
import {
  connectWithTables,
  recordBackends,
  type RecordBackend,
  type RecordClient,
} from '../support/record-backends.js';

const ISSUER = 'https://id.example.com';
const user = (subject: string, groups: string[] = []): Caller => ({
  kind: 'user',
  identity: { issuer: ISSUER, subject, groups },
});
const alice = user('alice', ['staff']);
const bob = user('bob', ['staff']);

function tablesFor(prefix: string): TableSpec[] {
  return [
    {
      alias: 'todos',
      name: `${prefix}-todos`,
      partitionKey: { name: 'id', type: 'S' },
      access: 'read-write',
      scope: 'owner',
      ttlAttribute: 'ttl',
    },
    {
      alias: 'diary',
      name: `${prefix}-diary`,
      partitionKey: { name: 'day', type: 'S' },
      sortKey: { name: 'seq', type: 'N' },
      access: 'read-write',
      scope: 'owner',
      ttlAttribute: 'ttl',
    },
    {
      alias: 'notes',
      name: `${prefix}-notes`,
      partitionKey: { name: 'id', type: 'S' },
      access: 'read-write',
      ttlAttribute: 'ttl',
    },
  ];
}

const backends = new Map<string, Promise<RecordBackend>>();
beforeAll(() => {
  for (const factory of recordBackends) {
    const started = factory.start();
    started.catch(() => undefined);
    backends.set(factory.name, started);
  }
});
afterAll(async () => {
  await Promise.all(
    [...backends.values()].map((s) =>
      s.then(
        (b) => b.close(),
        () => undefined,
      ),
    ),
  );
});

/** Who created and changed a record, and owner-scoped tables, on every record-store backend. */
describe.each(recordBackends)('record ownership on $name', (factory) => {
  let client: RecordClient;
  let service: RecordService;

  beforeAll(async () => {
    const backend = await backends.get(factory.name)!;
    const tables = tablesFor(`owner-${randomUUID().slice(0, 8)}`);
    client = await connectWithTables(backend.embedded ?? backend.endpoint, tables, backend.client);
    service = new RecordService({
      tables: new TableRegistry(tables),
      store: new DynamoDbRecordStore({ client }),
    });
  }, 120_000);
  afterAll(() => client?.destroy());

  it('records who created and who last changed a record (user id, operator, anonymous)', async () => {
    const created = await service.create('notes', { text: 'hi' }, alice);
    expect(created.created_by).toBe(`${ISSUER}#alice`);
    expect(created.updated_by).toBeUndefined();
    const id = { record_id: created.id as string };
    const changed = await service.update('notes', id, { text: 'hello' }, undefined, bob);
    expect(changed).toMatchObject({ created_by: `${ISSUER}#alice`, updated_by: `${ISSUER}#bob` });
    expect(typeof changed.updated_at).toBe('string');
    const byOperator = await service.update('notes', id, { text: 'x' }, undefined, TRUSTED_CALLER);
    expect(byOperator.updated_by).toBe('operator');
    const anon = await service.create('notes', { text: 'a' }, ANONYMOUS_CALLER);
    expect(anon.created_by).toBe('anonymous');
    // Without a caller: the operator (the CLI, the gateway's own ingest).
    expect((await service.create('notes', { text: 'b' })).created_by).toBe('operator');
  });

  it('refuses created_by and updated_by from the client', async () => {
    await expectFailure(
      service.create('notes', { text: 'x', created_by: `${ISSUER}#bob` }, alice),
      ValidationError,
      /created_by: is managed by the server/,
    );
    const { id } = await service.create('notes', { text: 'x' }, alice);
    await expectFailure(
      service.update(
        'notes',
        { record_id: id as string },
        { updated_by: 'someone' },
        undefined,
        alice,
      ),
      ValidationError,
      /updated_by: is managed by the server/,
    );
  });

  it("answers another user's row exactly like a missing one on read, update and delete", async () => {
    const mine = await service.create('todos', { task: 'alice only' }, alice);
    const key = { record_id: mine.id as string };
    const missing = { record_id: randomUUID() };
    const messageFor = async (p: Promise<unknown>, k: { record_id: string }): Promise<string> =>
      (await expectFailure(p, NotFoundError)).message.replace(k.record_id, '<id>');

    const refusals = [
      await messageFor(service.read('todos', key, bob), key),
      await messageFor(service.update('todos', key, { task: 'bob was here' }, undefined, bob), key),
      await messageFor(service.update('todos', key, { task: 'x' }, 1, bob), key),
      await messageFor(service.delete('todos', key, undefined, bob), key),
    ];
    const absent = [
      await messageFor(service.read('todos', missing, bob), missing),
      await messageFor(service.update('todos', missing, { task: 'x' }, undefined, bob), missing),
      await messageFor(service.update('todos', missing, { task: 'x' }, 1, bob), missing),
      await messageFor(service.delete('todos', missing, undefined, bob), missing),
    ];
    expect(refusals).toEqual(absent);
    // Untouched: Alice still reads her row as she wrote it.
    expect(await service.read('todos', key, alice)).toMatchObject({
      task: 'alice only',
      version: 1,
    });
  });

  it('lets the owner read, update and delete their own row', async () => {
    const row = await service.create('todos', { task: 'mine' }, bob);
    const key = { record_id: row.id as string };
    expect(await service.read('todos', key, bob)).toMatchObject({ task: 'mine' });
    expect(await service.update('todos', key, { task: 'done' }, 1, bob)).toMatchObject({
      task: 'done',
      version: 2,
      updated_by: `${ISSUER}#bob`,
    });
    expect(await service.delete('todos', key, 2, bob)).toMatchObject({ task: 'done' });
    await expectFailure(service.read('todos', key, bob), NotFoundError);
  });

  it("lists only the caller's rows, filtered in the store, across pages; the operator sees all", async () => {
    const day = `day-${randomUUID().slice(0, 8)}`;
    // Interleaved, so every page of the underlying query holds rows of both users.
    for (let seq = 1; seq <= 12; seq++) {
      await service.create('diary', { day, seq, n: seq }, seq % 3 === 0 ? alice : bob);
    }
    const all = async (caller: Caller): Promise<number[]> => {
      const seen: number[] = [];
      let cursor: string | undefined;
      let pages = 0;
      do {
        const page = await service.list(
          'diary',
          { partitionKeyValue: day, limit: 2, ...(cursor && { cursor }) },
          caller,
        );
        seen.push(...page.items.map((i) => i.n as number));
        cursor = page.cursor;
      } while (cursor && ++pages < 50);
      return seen.sort((a, b) => a - b);
    };
    expect(await all(alice)).toEqual([3, 6, 9, 12]);
    expect(await all(bob)).toEqual([1, 2, 4, 5, 7, 8, 10, 11]);
    expect(await all(TRUSTED_CALLER)).toHaveLength(12);

    // A scan over the whole table too.
    const scanned = await service.list('diary', { limit: 100 }, alice);
    expect(scanned.items.every((i) => i.created_by === `${ISSUER}#alice`)).toBe(true);
    expect(scanned.items.length).toBeGreaterThanOrEqual(4);
  });

  it('refuses anonymous callers on an owner-scoped table, on every operation', async () => {
    const row = await service.create('todos', { task: 'x' }, alice);
    const key = { record_id: row.id as string };
    const attempts = [
      service.create('todos', { task: 'anon' }, ANONYMOUS_CALLER),
      service.read('todos', key, ANONYMOUS_CALLER),
      service.update('todos', key, { task: 'y' }, undefined, ANONYMOUS_CALLER),
      service.delete('todos', key, undefined, ANONYMOUS_CALLER),
      service.list('todos', {}, ANONYMOUS_CALLER),
    ];
    for (const attempt of attempts) {
      await expectFailure(attempt, ForbiddenError, /scope: owner\) and needs a signed-in user/);
    }
    expect(await service.read('todos', key, alice)).toMatchObject({ task: 'x' });
  });

  it('lets the operator read, change and delete every row of an owner-scoped table', async () => {
    const row = await service.create('todos', { task: 'alice' }, alice);
    const key = { record_id: row.id as string };
    expect(await service.read('todos', key, TRUSTED_CALLER)).toMatchObject({ task: 'alice' });
    expect(
      await service.update('todos', key, { task: 'fixed' }, undefined, TRUSTED_CALLER),
    ).toMatchObject({ created_by: `${ISSUER}#alice`, updated_by: 'operator' });
    // Still Alice's: an update by someone else never moves ownership.
    expect(await service.read('todos', key, alice)).toMatchObject({ task: 'fixed' });
    await service.delete('todos', key, undefined, TRUSTED_CALLER);
    await expectFailure(service.read('todos', key, alice), NotFoundError);
  });
});
