import { describe, expect, it } from 'vitest';
import { contentToStore, utf8Prefix } from '../../src/engine/answer-limit.js';

describe('answer limits', () => {
  it('cuts UTF-8 text on a character boundary', () => {
    expect(utf8Prefix('ab語c', 4)).toBe('ab');
    expect(utf8Prefix('ab語c', 5)).toBe('ab語');
    expect(utf8Prefix('😀😀', 5)).toBe('😀');
    expect(utf8Prefix('short', 100)).toBe('short');
  });

  it('stores an answer over the limit as its first part and a note that fit the limit together', () => {
    const content = '語'.repeat(200_000); // 600,000 bytes
    const stored = contentToStore(content, 300 * 1024);
    expect(Buffer.byteLength(stored, 'utf8')).toBeLessThanOrEqual(300 * 1024);
    expect(stored).toMatch(
      /^語+\n\n_\(Cut for the history: this answer was 586 KB; only its first 300 KB are kept\.\)_$/,
    );
    expect(contentToStore('whole')).toBe('whole');
  });
});
