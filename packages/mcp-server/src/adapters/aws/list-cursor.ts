import { ValidationError } from '../../errors.js';
import { checkKeyValue } from '../../records/record-rules.js';
import type { KeyValue, RecordKey, TableSpec } from '../../ports/record-store.js';

/**
 * Cursors are opaque to clients: a versioned, base64url envelope bound to the table alias.
 * Decoding checks the envelope holds exactly the table's key attributes with the right types
 * (and, for a query, the queried partition), so a forged cursor can only start a page somewhere
 * in the same table.
 */
export function encodeCursor(table: TableSpec, lastKey: RecordKey): string {
  return Buffer.from(JSON.stringify({ v: 1, t: table.alias, k: lastKey }), 'utf8').toString(
    'base64url',
  );
}

export function decodeCursor(
  table: TableSpec,
  cursor: string,
  partitionKeyValue?: KeyValue,
): RecordKey {
  const invalid = new ValidationError(
    `cursor: not a cursor from list_records on table "${table.alias}"; pass the cursor value from the previous page unchanged, or omit it to start from the beginning`,
  );
  let envelope: unknown;
  try {
    envelope = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    throw invalid;
  }
  if (!isObject(envelope) || envelope.v !== 1 || envelope.t !== table.alias) throw invalid;
  const key = envelope.k;
  if (!isObject(key)) throw invalid;
  const attributes = table.sortKey ? [table.partitionKey, table.sortKey] : [table.partitionKey];
  if (Object.keys(key).length !== attributes.length) throw invalid;
  for (const attr of attributes) {
    // A value of the wrong type would reach DynamoDB and come back as an unexplained error.
    if (typeof key[attr.name] !== (attr.type === 'S' ? 'string' : 'number')) throw invalid;
    // ... and so would one outside what a key may hold (1e400 parses to Infinity, a lone
    // surrogate would be stored as U+FFFD).
    try {
      checkKeyValue(attr, key[attr.name], 'cursor');
    } catch {
      throw invalid;
    }
  }
  // DynamoDB refuses a query whose start key lies outside the queried partition.
  if (partitionKeyValue !== undefined && key[table.partitionKey.name] !== partitionKeyValue) {
    throw invalid;
  }
  return key as RecordKey;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
