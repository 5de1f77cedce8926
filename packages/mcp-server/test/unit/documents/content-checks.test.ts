import { describe, expect, it } from 'vitest';
import { checkContent, MAX_CONTENT_BYTES } from '../../../src/documents/content-checks.js';
import { parseContentType } from '../../../src/documents/content-type.js';
import { ValidationError } from '../../../src/errors.js';

describe('checkContent', () => {
  it('accepts ordinary text and UTF-8 bytes', () => {
    expect(checkContent('Hello, wörld — ok\ttabs\r\nand lines')).toContain('wörld');
    expect(checkContent(new TextEncoder().encode('bytes: café'))).toBe('bytes: café');
  });

  it.each([
    ['empty', '', /is empty/],
    ['blank', ' \n\t ', /is empty/],
    ['NUL bytes', 'PK\u0003\u0004\u0000\u0000binary', /NUL characters/],
    ['unpaired surrogate', 'text \uD800 more', /unpaired surrogates/],
    ['lossy-decoded binary', 'ab\uFFFD\uFFFD\uFFFD\uFFFD\uFFFDcd', /not valid UTF-8/],
    ['control characters', '\u0001\u0002\u0003\u0004\u0005\u0006 ab', /control characters/],
  ])('refuses %s content with a clear message', (_name, content, message) => {
    expect(() => checkContent(content)).toThrow(ValidationError);
    expect(() => checkContent(content)).toThrow(message);
  });

  it('refuses invalid UTF-8 bytes', () => {
    expect(() => checkContent(new Uint8Array([0x68, 0x69, 0xff, 0xfe]))).toThrow(/not valid UTF-8/);
  });

  it('refuses more than 5 MB, saying how large it was and what to do', () => {
    const big = 'a'.repeat(MAX_CONTENT_BYTES + 1);
    expect(() => checkContent(big)).toThrow(
      /content: is 5\.0 MB; the limit is 5 MB\. Split the document/,
    );
    // Multi-byte characters count as their UTF-8 size.
    expect(() => checkContent('é'.repeat(MAX_CONTENT_BYTES / 2 + 1))).toThrow(/the limit is 5 MB/);
    expect(checkContent('a'.repeat(MAX_CONTENT_BYTES))).toHaveLength(MAX_CONTENT_BYTES);
  });

  it('refuses non-strings', () => {
    expect(() => checkContent(42)).toThrow(/must be a string/);
  });
});

describe('parseContentType', () => {
  it('accepts the three formats, aliases and a UTF-8 charset', () => {
    expect(parseContentType('text/markdown')).toBe('text/markdown');
    expect(parseContentType('Text/HTML; charset=UTF-8')).toBe('text/html');
    expect(parseContentType('text/x-markdown')).toBe('text/markdown');
    expect(parseContentType('text/plain')).toBe('text/plain');
  });

  it('refuses other types and charsets', () => {
    expect(() => parseContentType('application/pdf')).toThrow(
      /not supported; use one of text\/markdown/,
    );
    expect(() => parseContentType('text/plain; charset=latin1')).toThrow(
      /send the content as UTF-8/,
    );
    expect(() => parseContentType(undefined)).toThrow(ValidationError);
  });
});
