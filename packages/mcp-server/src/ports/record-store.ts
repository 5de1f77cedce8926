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
  /**
   * `owner`: each signed-in person reads and changes only the records they created (see
   * `records/ownership.ts`); absent: every caller shares every record.
   */
  scope?: 'owner';
}

/**
 * Only records whose `attribute` holds exactly `value`: a condition of the write or a filter of
 * the list inside the store, so a record that does not match is never returned or changed.
 * A write on a record that does not match fails as if the record were missing.
 */
export interface RecordMatch {
  attribute: string;
  value: string;
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
  /** Only matching records (filtered inside the query or scan). */
  match?: RecordMatch;
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
  /**
   * Sets `changes`, bumps `version`, returns the new record. NotFoundError (also when the record
   * does not satisfy `match`) / ConflictError.
   */
  update(
    table: TableSpec,
    key: RecordKey,
    changes: RecordItem,
    expectedVersion?: number,
    match?: RecordMatch,
  ): Promise<RecordItem>;
  /** Deletes and returns the record. NotFoundError (also when not matching `match`) / ConflictError. */
  delete(
    table: TableSpec,
    key: RecordKey,
    expectedVersion?: number,
    match?: RecordMatch,
  ): Promise<RecordItem>;
  /** One page, by partition key (query) or over the table (bounded scan). */
  list(table: TableSpec, query: ListQuery): Promise<ListPage>;
}
