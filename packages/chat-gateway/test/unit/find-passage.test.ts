import { describe, expect, it } from 'vitest';
import { snippet } from '../../src/engine/citations.js';
import { findPassage, type PassageRange } from '../../src/protocol/find-passage.js';

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

  it('finds what a regex of the words joined by \\s+ finds, on random texts', () => {
    let seed = 42;
    const random = (n: number): number => {
      seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31;
      return seed % n;
    };
    const pick = (alphabet: string, length: number): string =>
      Array.from({ length }, () => alphabet[random(alphabet.length)]).join('');
    const byRegex = (text: string, words: string[]): PassageRange | undefined => {
      const quoted = words.map((w) => w.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'));
      const match = new RegExp(quoted.join('\\s+')).exec(text);
      return match ? { start: match.index, end: match.index + match[0].length } : undefined;
    };
    for (let i = 0; i < 2_000; i++) {
      const text = pick('ab(.  \n\t\u00a0', 1 + random(60));
      const from = random(text.length);
      const wanted =
        random(3) === 0 ? pick('ab( \n', 1 + random(8)) : text.slice(from, from + 1 + random(20));
      const words = wanted.trim().split(/\s+/).filter(Boolean);
      if (words.length === 0 || wanted.trim().endsWith('…')) continue;
      expect(findPassage(text, wanted), JSON.stringify([text, wanted])).toEqual(
        byRegex(text, words),
      );
    }
  });

  it("stays linear on a text that repeats the snippet's words (a hostile document frame)", () => {
    // 10 MB: the regex this replaced backtracked at every position (about 50 s; now under 1 s).
    const text = 'a '.repeat(5_000_000);
    const hostile = `${'a '.repeat(1_999)}b`;
    expect(findPassage(text, hostile)?.start).toBe(0); // its first 8 words, the fallback
    const planted = `${text}${hostile}`;
    expect(findPassage(planted, hostile)).toEqual({ start: text.length, end: planted.length });
  }, 20_000);
});
