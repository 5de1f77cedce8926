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

export interface RecordServiceOptions {
  tables: TableRegistry;
  store: RecordStore;
  now?: () => Date;
  newId?: () => string;
}

export const DEFAULT_LIST_LIMIT = 25;

/**
 * The record tools' rules, independent of transport and store: alias resolution, access,
 * key shape, managed attributes (`version`, `created_at`, `updated_at`) and size limits.
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

  async create(alias: string, data: RecordItem): Promise<RecordItem> {
    const table = this.tables.resolveWritable(alias);
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
    item.version = 1;
    checkItemSize(item);
    return this.store.create(table, item);
  }

  async read(alias: string, keyInput: KeyInput): Promise<RecordItem> {
    const table = this.tables.resolve(alias);
    const key = resolveKey(table, keyInput);
    const record = await this.store.get(table, key);
    if (!record) throw notFound(table, key);
    return record;
  }

  async update(
    alias: string,
    keyInput: KeyInput,
    data: RecordItem,
    expectedVersion?: number,
  ): Promise<RecordItem> {
    const table = this.tables.resolveWritable(alias);
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
    const changes = { ...data, updated_at: this.now().toISOString() };
    checkItemSize({ ...key, ...changes });
    return this.store.update(table, key, changes, expectedVersion);
  }

  async delete(alias: string, keyInput: KeyInput, expectedVersion?: number): Promise<RecordItem> {
    const table = this.tables.resolveWritable(alias);
    return this.store.delete(table, resolveKey(table, keyInput), expectedVersion);
  }

  async list(
    alias: string,
    options: { partitionKeyValue?: unknown; limit?: number; cursor?: string },
  ): Promise<ListPage> {
    const table = this.tables.resolve(alias);
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
    });
  }
}
