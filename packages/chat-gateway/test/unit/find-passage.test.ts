import { describe, expect, it } from 'vitest';
import { snippet } from '../../src/engine/citations.js';
import { findPassage } from '../../src/protocol/find-passage.js';

describe('findPassage', () => {
  const text =
    'Intro line.\n\n## Rolling back\n\nRoll back as soon as\na deploy   causes errors; investigate afterwards. More text follows here.';

  it('finds a snippet whose whitespace was flattened', () => {
    const range = findPassage(text, 'Roll back as soon as a deploy causes errors;');
    expect(range && text.slice(range.start, range.end)).toBe(
      'Roll back as soon as\na deploy   causes errors;',
    );
  });

  it('finds a snippet cut with "…" inside a word, as engine/citations.ts cuts them', () => {
    const cut = snippet(text.slice(text.indexOf('Roll back')), 40);
    expect(cut.endsWith('…')).toBe(true);
    const range = findPassage(text, cut);
    expect(range?.start).toBe(text.indexOf('Roll back'));
  });

  it('falls back to the opening words when the rest changed', () => {
    const range = findPassage(
      text,
      'Roll back as soon as a deploy causes errors; then page someone',
    );
    expect(range?.start).toBe(text.indexOf('Roll back'));
  });

  it('treats regex characters as text and answers undefined when nothing matches', () => {
    expect(findPassage('a (b) [c] d', '(b) [c]')).toEqual({ start: 2, end: 9 });
    expect(findPassage(text, 'zebra quasar')).toBeUndefined();
    expect(findPassage(text, '')).toBeUndefined();
  });
});
