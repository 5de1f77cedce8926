import { randomUUID } from 'node:crypto';
import { ValidationError } from '../errors.js';
import type { ListPage, RecordItem, RecordStore } from '../ports/record-store.js';
import {
  checkData,
  checkItemSize,
  checkKeyValue,
  keyAttributes,
  notFound,
  resolveKey,
  type KeyInput,
} from './record-rules.js';
import type { TableRegistry } from './table-registry.js';
import { TRUSTED_CALLER, type Caller } from '../identity/caller.js';
import { CREATED_BY, UPDATED_BY, actorOf, ownerMatch } from './ownership.js';

export interface RecordServiceOptions {
  tables: TableRegistry;
  store: RecordStore;
  now?: () => Date;
  newId?: () => string;
}

export const DEFAULT_LIST_LIMIT = 25;

/**
 * The record tools' rules, independent of transport and store: alias resolution, access,
 * key shape, managed attributes (`version`, `created_at`/`created_by`, `updated_at`/`updated_by`),
 * size limits, and owner scope (`scope: owner` tables: each caller's own records only). Every
 * method takes the caller; absent, it is the trusted operator.
 */
export class RecordService {
  private readonly tables: TableRegistry;
  private readonly store: RecordStore;
  private readonly now: () => Date;
  private readonly newId: () => string;

  constructor(options: RecordServiceOptions) {
    this.tables = options.tables;
    this.store = options.store;
    this.now = options.now ?? (() => new Date());
    this.newId = options.newId ?? randomUUID;
  }

  async create(
    alias: string,
    data: RecordItem,
    caller: Caller = TRUSTED_CALLER,
  ): Promise<RecordItem> {
    const table = this.tables.resolveWritable(alias);
    ownerMatch(table, caller); // refuses anonymous callers of owner-scoped tables
    checkData(data);
    const item: RecordItem = { ...data };
    const { partitionKey, sortKey } = table;
    if (item[partitionKey.name] === undefined && !sortKey && partitionKey.type === 'S') {
      item[partitionKey.name] = this.newId();
    }
    for (const attr of keyAttributes(table)) {
      checkKeyValue(attr, item[attr.name], `data.${attr.name}`);
    }
    item.created_at = this.now().toISOString();
    item[CREATED_BY] = actorOf(caller);
    item.version = 1;
    checkItemSize(item);
    return this.store.create(table, item);
  }

  async read(
    alias: string,
    keyInput: KeyInput,
    caller: Caller = TRUSTED_CALLER,
  ): Promise<RecordItem> {
    const table = this.tables.resolve(alias);
    const match = ownerMatch(table, caller);
    const key = resolveKey(table, keyInput);
    const record = await this.store.get(table, key);
    // Someone else's record is answered exactly like a missing one.
    if (!record || (match && record[match.attribute] !== match.value)) throw notFound(table, key);
    return record;
  }

  async update(
    alias: string,
    keyInput: KeyInput,
    data: RecordItem,
    expectedVersion?: number,
    caller: Caller = TRUSTED_CALLER,
  ): Promise<RecordItem> {
    const table = this.tables.resolveWritable(alias);
    const match = ownerMatch(table, caller);
    const key = resolveKey(table, keyInput);
    if (Object.keys(data).length === 0) {
      throw new ValidationError('data: is empty; give at least one attribute to change');
    }
    for (const attr of keyAttributes(table)) {
      if (attr.name in data) {
        throw new ValidationError(
          `data.${attr.name}: is part of the key of table "${alias}" and cannot be changed; create a new record and delete the old one instead`,
        );
      }
    }
    checkData(data);
    const changes = {
      ...data,
      updated_at: this.now().toISOString(),
      [UPDATED_BY]: actorOf(caller),
    };
    checkItemSize({ ...key, ...changes });
    return this.store.update(table, key, changes, expectedVersion, match);
  }

  async delete(
    alias: string,
    keyInput: KeyInput,
    expectedVersion?: number,
    caller: Caller = TRUSTED_CALLER,
  ): Promise<RecordItem> {
    const table = this.tables.resolveWritable(alias);
    const match = ownerMatch(table, caller);
    return this.store.delete(table, resolveKey(table, keyInput), expectedVersion, match);
  }

  async list(
    alias: string,
    options: { partitionKeyValue?: unknown; limit?: number; cursor?: string },
    caller: Caller = TRUSTED_CALLER,
  ): Promise<ListPage> {
    const table = this.tables.resolve(alias);
    const match = ownerMatch(table, caller);
    const limit = options.limit ?? DEFAULT_LIST_LIMIT;
    if (!Number.isInteger(limit) || limit < 1 || limit > 100) {
      throw new ValidationError('limit: must be an integer from 1 to 100');
    }
    const partitionKeyValue =
      options.partitionKeyValue === undefined
        ? undefined
        : checkKeyValue(table.partitionKey, options.partitionKeyValue, 'partition_key_value');
    return this.store.list(table, {
      limit,
      ...(partitionKeyValue !== undefined && { partitionKeyValue }),
      ...(options.cursor !== undefined && { cursor: options.cursor }),
      ...(match && { match }),
    });
  }
}
