import { describe, expect, it } from 'vitest';
import { MAX_ITEM_BYTES, itemSizeBytes } from '../../src/records/item-size.js';

/** Sizes measured against Amazon DynamoDB Local's 400 KB limit (the largest item it accepts). */
describe('itemSizeBytes', () => {
  it('counts UTF-8 bytes of names and strings', () => {
    expect(itemSizeBytes({ a: 'abc' })).toBe(4);
    expect(itemSizeBytes({ a: '' })).toBe(1);
    expect(itemSizeBytes({ n: 'é€' })).toBe(1 + 5);
    expect(itemSizeBytes({ é: 'a' })).toBe(3);
    expect(itemSizeBytes({ '😀': 'a' })).toBe(5);
  });

  it.each([
    [0, 1],
    [1, 2],
    [12, 2],
    [123, 3],
    [1234, 3],
    [12345, 4],
    [10, 2],
    [100, 2],
    [1000, 2],
    [0.5, 2],
    [0.001, 2],
    [1.5, 3],
    [-1, 3],
    [-12, 3],
    [123456789012345, 9],
  ])('counts the number %d as %d bytes', (value, bytes) => {
    expect(itemSizeBytes({ n: value }) - 1).toBe(bytes);
  });

  it('counts booleans and nulls as one byte', () => {
    expect(itemSizeBytes({ t: true, f: false, z: null })).toBe(6);
  });

  it('counts lists and maps with three bytes plus one per element', () => {
    expect(itemSizeBytes({ l: [] })).toBe(1 + 3);
    expect(itemSizeBytes({ l: ['a'] })).toBe(1 + 5);
    expect(itemSizeBytes({ m: {} })).toBe(1 + 3);
    expect(itemSizeBytes({ m: { a: 1 } })).toBe(1 + 7);
    expect(itemSizeBytes({ m: { m: 'é' } })).toBe(1 + 7);
    expect(itemSizeBytes({ m: { a: { b: [true, null] } } })).toBe(
      1 + 3 + 1 + 1 + (3 + 1 + 1 + (3 + 2 + 2)),
    );
  });

  it('skips undefined values, which are not stored', () => {
    expect(itemSizeBytes({ a: 'abc', b: undefined, m: { c: undefined } })).toBe(4 + 1 + 3);
  });

  it('puts the limit at 400 KiB', () => {
    expect(MAX_ITEM_BYTES).toBe(409_600);
    expect(itemSizeBytes({ k: 'a', b: 'x'.repeat(409_597) })).toBe(MAX_ITEM_BYTES);
  });
});
