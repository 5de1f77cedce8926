import { describe, expect, it } from 'vitest';
import { pack, sentences, splitToFit, tail } from '../../../src/documents/text-splitter.js';

describe('text splitting', () => {
  it('splits on sentence boundaries and packs sentences up to the limit', () => {
    const text = 'One is short. Two is short too! Three asks? Four ends.';
    expect(sentences(text)).toEqual([
      'One is short.',
      'Two is short too!',
      'Three asks?',
      'Four ends.',
    ]);
    const pieces = splitToFit(text, 32);
    expect(pieces).toEqual(['One is short. Two is short too!', 'Three asks? Four ends.']);
  });

  it('falls back to words, then characters, and never exceeds the limit', () => {
    const pieces = splitToFit(`alpha beta gamma ${'z'.repeat(25)} delta`, 10);
    expect(pieces.every((p) => p.length <= 10)).toBe(true);
    expect(pieces.join('').replace(/ /g, '')).toBe(`alphabetagamma${'z'.repeat(25)}delta`);
  });

  it('never cuts a surrogate pair', () => {
    const pieces = splitToFit('😀'.repeat(10), 5);
    expect(pieces.every((p) => p.length <= 5 && !/[\uD800-\uDBFF]$/.test(p))).toBe(true);
    expect(pieces.join('')).toBe('😀'.repeat(10));
  });

  it('splits code on lines', () => {
    expect(splitToFit('a = 1\nb = 2\nc = 3', 11, 'code')).toEqual(['a = 1\nb = 2', 'c = 3']);
  });

  it('takes the overlap tail from a sentence start, else a word start', () => {
    expect(tail('First sentence here. Second one.', 20)).toBe('Second one.');
    expect(tail('no sentence boundary in this text at all', 12)).toBe('text at all');
    expect(tail('short', 100)).toBe('short');
    expect(tail('anything', 0)).toBe('');
  });

  it('packs greedily with the separator counted', () => {
    expect(pack(['aa', 'bb', 'cc'], 5, ' ')).toEqual(['aa bb', 'cc']);
  });
});
