import { NotFoundError, ValidationError } from '../errors.js';
import { checkName, checkWellFormed, fieldPath } from '../identifiers.js';
import type { KeyAttribute, RecordItem, RecordKey, TableSpec } from '../ports/record-store.js';
import { MAX_ITEM_BYTES, itemSizeBytes } from './item-size.js';

/** Attributes the server manages itself; clients cannot set them. */
export const MANAGED_ATTRIBUTES = [
  'version',
  'created_at',
  'updated_at',
  'created_by',
  'updated_by',
] as const;

/** DynamoDB's limit on nesting of maps and lists. */
const MAX_DEPTH = 32;

/** DynamoDB's limit on an attribute name, in UTF-8 bytes (the embedded store has none). */
export const MAX_NAME_BYTES = 65_535;

/** The smallest non-zero magnitude DynamoDB stores; it refuses smaller ones as an underflow. */
const MIN_MAGNITUDE = 1e-130;

export interface KeyInput {
  key?: Record<string, unknown>;
  record_id?: string;
}

export function keyAttributes(table: TableSpec): KeyAttribute[] {
  return table.sortKey ? [table.partitionKey, table.sortKey] : [table.partitionKey];
}

export function keyNames(table: TableSpec): string {
  return keyAttributes(table)
    .map((a) => a.name)
    .join(', ');
}

/** Resolves `key` or the `record_id` shorthand to the table's full key, checking every part. */
export function resolveKey(table: TableSpec, input: KeyInput): RecordKey {
  if (input.key !== undefined && input.record_id !== undefined) {
    throw new ValidationError('key, record_id: give one of them, not both');
  }
  if (input.record_id !== undefined) {
    if (table.sortKey || table.partitionKey.type !== 'S') {
      throw new ValidationError(
        `record_id: table "${table.alias}" is keyed by ${keyNames(table)}; pass key: {${keyAttributes(
          table,
        )
          .map((a) => `"${a.name}": …`)
          .join(', ')}} instead`,
      );
    }
    return {
      [table.partitionKey.name]: checkKeyValue(table.partitionKey, input.record_id, 'record_id'),
    };
  }
  if (input.key === undefined) {
    throw new ValidationError(
      `key: required; table "${table.alias}" is keyed by ${keyNames(table)}`,
    );
  }
  const attrs = keyAttributes(table);
  const allowed = new Set(attrs.map((a) => a.name));
  for (const name of Object.keys(input.key)) {
    if (!allowed.has(name)) {
      throw new ValidationError(
        `key.${name}: not a key attribute of table "${table.alias}"; its key is ${keyNames(table)}`,
      );
    }
  }
  const key: RecordKey = {};
  for (const attr of attrs) {
    key[attr.name] = checkKeyValue(attr, input.key[attr.name], `key.${attr.name}`);
  }
  return key;
}

export function checkKeyValue(attr: KeyAttribute, value: unknown, field: string): string | number {
  if (value === undefined) throw new ValidationError(`${field}: required`);
  if (attr.type === 'S') {
    if (typeof value !== 'string' || value.length === 0) {
      throw new ValidationError(`${field}: must be a non-empty string`);
    }
    checkWellFormed(value, field);
    if (Buffer.byteLength(value, 'utf8') > 1024) {
      throw new ValidationError(`${field}: must be at most 1024 bytes (a DynamoDB key limit)`);
    }
    return value;
  }
  if (typeof value !== 'number' || !Number.isFinite(value)) {
    throw new ValidationError(`${field}: must be a number`);
  }
  checkValue(value, field, 1); // the same number range as data; out of it the SDK or DynamoDB throws
  return value;
}

/** Checks the data a client wants stored: names, managed attributes, value shapes. */
export function checkData(data: RecordItem, field = 'data'): void {
  for (const [name, value] of Object.entries(data)) {
    if (name.length === 0) throw new ValidationError(`${field}: attribute names must not be empty`);
    checkAttributeName(name, fieldPath(field, name));
    if ((MANAGED_ATTRIBUTES as readonly string[]).includes(name)) {
      throw new ValidationError(
        `${field}.${name}: is managed by the server and cannot be set; use expected_version for concurrency control`,
      );
    }
    checkValue(value, fieldPath(field, name), 1);
  }
}

/** An attribute name, at the top level or inside a map: stored exactly as given, or refused. */
export function checkAttributeName(name: string, field: string): void {
  checkName(name, field);
  const bytes = Buffer.byteLength(name, 'utf8');
  if (bytes > MAX_NAME_BYTES) {
    throw new ValidationError(
      `${field}: the attribute name is ${bytes} bytes in UTF-8, over DynamoDB's limit of ${MAX_NAME_BYTES}; use a shorter name`,
    );
  }
}

function checkValue(value: unknown, field: string, depth: number): void {
  if (typeof value === 'number' && Number.isInteger(value) && !Number.isSafeInteger(value)) {
    throw new ValidationError(
      `${field}: integer ${value} is beyond ±${Number.MAX_SAFE_INTEGER} and would lose precision; store it as a string`,
    );
  }
  if (typeof value === 'number' && value !== 0 && Math.abs(value) < MIN_MAGNITUDE) {
    throw new ValidationError(
      `${field}: ${value} is closer to zero than DynamoDB can store (1e-130); store 0 or a string`,
    );
  }
  if (typeof value !== 'object' || value === null) return;
  // The attribute itself is the first of DynamoDB's levels (DynamoDB Local refuses a 32nd map).
  if (depth >= MAX_DEPTH) {
    throw new ValidationError(
      `${field}: nested deeper than ${MAX_DEPTH} levels (a DynamoDB limit)`,
    );
  }
  if (Array.isArray(value)) {
    for (const [i, v] of value.entries()) checkValue(v, `${field}.${i}`, depth + 1);
    return;
  }
  for (const [name, v] of Object.entries(value)) {
    const path = fieldPath(field, name);
    checkAttributeName(name, path);
    checkValue(v, path, depth + 1);
  }
}

export function checkItemSize(item: RecordItem): void {
  const size = itemSizeBytes(item);
  if (size > MAX_ITEM_BYTES) {
    throw new ValidationError(
      `data: the record is ${size} bytes, over DynamoDB's item limit of ${MAX_ITEM_BYTES} bytes (400 KB, attribute names included); store less in one record (large text belongs in documents)`,
    );
  }
}

export function notFound(table: TableSpec, key: RecordKey): NotFoundError {
  return new NotFoundError(
    `no record with key ${JSON.stringify(key)} in table "${table.alias}"; check the key, or use list_records to see what exists`,
  );
}
