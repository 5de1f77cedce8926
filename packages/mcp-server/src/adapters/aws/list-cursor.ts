import { ValidationError } from '../../errors.js';
import type { RecordKey, TableSpec } from '../../ports/record-store.js';

/**
 * Cursors are opaque to clients: a versioned, base64url envelope bound to the table alias.
 * Decoding checks the envelope holds exactly the table's key attributes with the right types,
 * so a forged cursor can only start a page somewhere in the same table.
 */
export function encodeCursor(table: TableSpec, lastKey: RecordKey): string {
  return Buffer.from(JSON.stringify({ v: 1, t: table.alias, k: lastKey }), 'utf8').toString(
    'base64url',
  );
}

export function decodeCursor(table: TableSpec, cursor: string, keyNames: string[]): RecordKey {
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
  const names = Object.keys(key);
  const allowed = new Set(keyNames);
  if (names.length !== keyNames.length || names.some((n) => !allowed.has(n))) throw invalid;
  for (const value of Object.values(key)) {
    if (typeof value !== 'string' && typeof value !== 'number') throw invalid;
  }
  return key as RecordKey;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
