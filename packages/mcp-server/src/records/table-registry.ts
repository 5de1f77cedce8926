import { ReadOnlyError, ValidationError } from '../errors.js';
import { checkWellFormed } from '../identifiers.js';
import type { TableSpec } from '../ports/record-store.js';

/**
 * The only way from a client's `table` argument to a physical table: an exact alias lookup.
 * Unknown aliases (raw table names, ARNs, paths) are refused, never passed through.
 */
export class TableRegistry {
  private readonly byAlias: Map<string, TableSpec>;

  constructor(readonly tables: readonly TableSpec[]) {
    this.byAlias = new Map(tables.map((t) => [t.alias, t]));
  }

  resolve(alias: string): TableSpec {
    checkWellFormed(alias, 'table');
    const table = this.byAlias.get(alias);
    if (!table) {
      const shown = alias.length > 64 ? `${alias.slice(0, 64)}…` : alias;
      throw new ValidationError(
        `table: ${JSON.stringify(shown)} is not a configured table; use one of: ${this.aliases().join(', ')}`,
      );
    }
    return table;
  }

  resolveWritable(alias: string): TableSpec {
    const table = this.resolve(alias);
    if (table.access === 'read-only') {
      throw new ReadOnlyError(
        `table "${alias}" is read-only; its records can be read and listed but not changed`,
      );
    }
    return table;
  }

  aliases(): string[] {
    return [...this.byAlias.keys()];
  }
}
