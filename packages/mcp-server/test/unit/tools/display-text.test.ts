import { describe, expect, it } from 'vitest';
import { visibleBidi, visibleInTerminal } from '../../../src/tools/display-text.js';

describe('visibleBidi', () => {
  it('replaces every bidirectional control with a visible <U+XXXX>', () => {
    const all = '\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069';
    expect(visibleBidi(`x${all}y`)).toBe(
      'x<U+061C><U+200E><U+200F><U+202A><U+202B><U+202C><U+202D><U+202E><U+2066><U+2067><U+2068><U+2069>y',
    );
    expect(visibleBidi('Invoice \u202eexe.fdp')).toBe('Invoice <U+202E>exe.fdp');
  });

  it('leaves right-to-left letters and other text as they are', () => {
    expect(visibleBidi('שלום مرحبا café ✓')).toBe('שלום مرحبا café ✓');
  });
});

describe('visibleInTerminal', () => {
  it('also shows terminal escapes and other control characters', () => {
    expect(visibleInTerminal('a\u001b[2Jb\u0007c\u009bd\u202ee\tf\ng')).toBe(
      'a<U+001B>[2Jb<U+0007>c<U+009B>d<U+202E>e\tf\ng',
    );
  });
});
