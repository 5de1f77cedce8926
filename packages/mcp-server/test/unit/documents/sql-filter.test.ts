import { describe, expect, it } from 'vitest';
import { decodeCursor, encodeCursor } from '../../../src/adapters/local/document-cursor.js';
import {
  filterSql,
  metadataTerm,
  sqlIn,
  sqlString,
} from '../../../src/adapters/local/sql-filter.js';
import { ValidationError } from '../../../src/errors.js';

// SQL building for the LanceDB store; the integration tests run these filters against LanceDB.
describe('SQL filters', () => {
  it('quotes strings by doubling single quotes; backslashes stay literal', () => {
    expect(sqlString("it's")).toBe("'it''s'");
    expect(sqlString("'; DROP TABLE chunks; --")).toBe("'''; DROP TABLE chunks; --'");
    expect(sqlString('back\\slash')).toBe("'back\\slash'");
  });

  it('builds IN lists, and a false predicate for none', () => {
    expect(sqlIn('source', ['a', "b'c"])).toBe("source IN ('a', 'b''c')");
    expect(sqlIn('source', [])).toBe('false');
  });

  it('keeps metadata types apart in terms', () => {
    expect(metadataTerm('v', 1)).not.toBe(metadataTerm('v', '1'));
    expect(metadataTerm('a', true)).toBe('"a"=true');
    expect(metadataTerm('a"=1', 'x')).not.toBe(metadataTerm('a', '1"=x'));
  });

  it('combines source and metadata with AND', () => {
    expect(filterSql(undefined)).toBeUndefined();
    expect(filterSql({})).toBeUndefined();
    expect(filterSql({ source: "o'k", metadata: { team: 'ops' } })).toBe(
      `source = 'o''k' AND array_has(metadata_terms, '"team"="ops"')`,
    );
  });
});

describe('list cursors', () => {
  it('round-trip and are opaque', () => {
    const cursor = encodeCursor("docs/it's.md");
    expect(cursor).not.toContain('docs');
    expect(decodeCursor(cursor)).toBe("docs/it's.md");
  });

  it('refuse anything this server did not issue', () => {
    for (const bad of ['nope', Buffer.from('{"after":1}').toString('base64url'), '']) {
      expect(() => decodeCursor(bad)).toThrow(ValidationError);
    }
  });
});
