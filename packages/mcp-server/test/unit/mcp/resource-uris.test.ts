import { describe, expect, it } from 'vitest';
import { ValidationError } from '../../../src/errors.js';
import { documentUri, parseResourceUri, tableUri } from '../../../src/mcp/resource-uris.js';

const SOURCES = [
  'guides/setup.md',
  'a b/c d.md',
  '100% sure?.txt',
  'x#y&z=1.md',
  'ünïcödé/日本語.md',
  '../../etc/passwd',
  'doc://nested',
  '%41',
];

describe('resource URIs', () => {
  it.each(SOURCES)('round-trips the source %j through doc://', (source) => {
    const uri = documentUri(source);
    expect(uri).toMatch(/^doc:\/\/[A-Za-z0-9\-_.!~*'()%]+$/);
    expect(parseResourceUri(uri)).toEqual({ kind: 'document', source });
  });

  it('encodes / so that the whole source is one authority-like segment', () => {
    expect(documentUri('guides/setup guide.md')).toBe('doc://guides%2Fsetup%20guide.md');
  });

  it('round-trips table aliases', () => {
    expect(parseResourceUri(tableUri('notes'))).toEqual({ kind: 'table', alias: 'notes' });
  });

  it.each(['doc://', 'table://', 'file:///etc/passwd', 'doc:/x', 'doc://%E0%A4%A'])(
    'refuses %j with a ValidationError naming the forms',
    (uri) => {
      expect(() => parseResourceUri(uri)).toThrow(ValidationError);
    },
  );
});
