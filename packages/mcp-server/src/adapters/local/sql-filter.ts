import type { SearchFilter } from '../../ports/vector-store.js';

/**
 * A SQL string literal for a LanceDB (DataFusion) filter. Standard SQL quoting: the literal is
 * wrapped in single quotes and each quote inside is doubled; backslashes have no special
 * meaning. This is the only way user text reaches a `where` clause.
 */
export function sqlString(value: string): string {
  // A NUL cannot be written into the SQL text at all; no stored value contains one either.
  return `'${value.replace(/\0/g, '').replace(/'/g, "''")}'`;
}

/** `column IN ('a', 'b')`, or a false predicate for an empty list. */
export function sqlIn(column: string, values: readonly string[]): string {
  if (values.length === 0) return 'false';
  return `${column} IN (${values.map(sqlString).join(', ')})`;
}

/**
 * One metadata field as a single comparable string: the key and the value as JSON, so that
 * `"1"` and `1` and `true` stay distinct and no key can forge another key's term.
 */
export function metadataTerm(key: string, value: string | number | boolean): string {
  return `${JSON.stringify(key)}=${JSON.stringify(value)}`;
}

/** The `where` clause for a search filter, or undefined when nothing is filtered. */
export function filterSql(filter: SearchFilter | undefined): string | undefined {
  if (!filter) return undefined;
  const clauses: string[] = [];
  if (filter.source !== undefined) clauses.push(`source = ${sqlString(filter.source)}`);
  for (const [key, value] of Object.entries(filter.metadata ?? {})) {
    clauses.push(`array_has(metadata_terms, ${sqlString(metadataTerm(key, value))})`);
  }
  if (filter.readers !== undefined) clauses.push(accessSql(filter.readers));
  return clauses.length > 0 ? clauses.join(' AND ') : undefined;
}

/** Rows some principal of `readers` may read: their `access` list shares an element with it. */
export function accessSql(readers: readonly string[]): string {
  if (readers.length === 0) return 'false';
  return `array_has_any(access, make_array(${readers.map(sqlString).join(', ')}))`;
}
