import type { KeyAttribute } from '../tables/table-model.js';

export type { KeyAttribute };

/** A table the record tools may touch, resolved from configuration by alias. */
export interface TableSpec {
  /** The name clients use (`sessions`); never sent to the store. */
  alias: string;
  /** The physical table name; never shown to clients. */
  name: string;
  partitionKey: KeyAttribute;
  sortKey?: KeyAttribute;
  access: 'read-write' | 'read-only';
  /** Numeric epoch-seconds attribute after which a record counts as absent. */
  ttlAttribute: string;
}

export type KeyValue = string | number;
export type RecordKey = Record<string, KeyValue>;
export type RecordItem = Record<string, unknown>;

export interface ListQuery {
  partitionKeyValue?: KeyValue;
  limit: number;
  cursor?: string;
  /** Newest (highest sort key) first. Only with `partitionKeyValue`. */
  descending?: boolean;
  /**
   * Only records whose sort key is strictly less than this, for paging back through history.
   * Only with `partitionKeyValue`, on a table with a sort key of the same type.
   */
  sortKeyBefore?: KeyValue;
}

export interface ListPage {
  items: RecordItem[];
  cursor?: string;
}

/**
 * Where records live. Every write is conditional: creates never overwrite, updates and deletes
 * only touch live records, and each write bumps `version` so that `expectedVersion` gives
 * optimistic concurrency. Records whose TTL attribute is in the past count as absent.
 */
export interface RecordStore {
  /** Creates `item` (which holds the key and `version: 1`); ConflictError if the key exists. */
  create(table: TableSpec, item: RecordItem): Promise<RecordItem>;
  /** The live record, or undefined. */
  get(table: TableSpec, key: RecordKey): Promise<RecordItem | undefined>;
  /** Sets `changes`, bumps `version`, returns the new record. NotFoundError / ConflictError. */
  update(
    table: TableSpec,
    key: RecordKey,
    changes: RecordItem,
    expectedVersion?: number,
  ): Promise<RecordItem>;
  /** Deletes and returns the record. NotFoundError / ConflictError. */
  delete(table: TableSpec, key: RecordKey, expectedVersion?: number): Promise<RecordItem>;
  /** One page, by partition key (query) or over the table (bounded scan). */
  list(table: TableSpec, query: ListQuery): Promise<ListPage>;
}
