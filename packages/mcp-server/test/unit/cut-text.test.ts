import { describe, expect, it } from 'vitest';
import { embeddingText, HEADER_CHARS } from '../../src/documents/embed-chunks.js';
import { LEAD_MAX_CHARS, pageLead } from '../../src/documents/ranking-fields.js';
import { tail } from '../../src/documents/text-splitter.js';
import { cutText, cutTextEnd } from '../../src/cut-text.js';

const EMOJI = '\u{1F600}'; // two UTF-16 units: a surrogate pair
const LONE_SURROGATE = /\p{Surrogate}/u;

describe('cutText and cutTextEnd never split a surrogate pair', () => {
  it('drops a pair the cut would split, keeps the rest', () => {
    expect(cutText(`ab${EMOJI}`, 3)).toBe('ab');
    expect(cutText(`ab${EMOJI}`, 4)).toBe(`ab${EMOJI}`);
    expect(cutTextEnd(`${EMOJI}ab`, 3)).toBe('ab');
    expect(cutTextEnd(`${EMOJI}ab`, 4)).toBe(`${EMOJI}ab`);
    expect(cutTextEnd('abcdef', 2)).toBe('ef');
  });
});

describe('text cut from a document stays well-formed: chunk overlap, leads, embedder input', () => {
  // Text without spaces, so no word boundary moves a cut; both alignments of the pairs.
  const runs = [EMOJI.repeat(1_500), `x${EMOJI.repeat(1_500)}`];

  it.each(runs.map((run, i) => [i, run] as const))('the overlap tail (alignment %i)', (_, run) => {
    expect(tail(run, 201)).not.toMatch(LONE_SURROGATE);
    expect(tail(run, 200)).not.toMatch(LONE_SURROGATE);
  });

  it('a page lead cut at its limit', () => {
    const paragraph = `x${EMOJI.repeat(LEAD_MAX_CHARS)}`;
    const lead = pageLead([
      { position: 0, content: paragraph, heading: 'NAME' },
      { position: 1, content: 'more', heading: 'NAME' },
    ]);
    expect(lead).toBeDefined();
    expect(lead).not.toMatch(LONE_SURROGATE);
  });

  it('the text given to the embedder, cut to its input limit and header size', () => {
    const chunk = {
      source: 's',
      position: 0,
      content: `x${EMOJI.repeat(500)}`,
      title: `t${EMOJI.repeat(HEADER_CHARS)}`,
    };
    const text = embeddingText(chunk as Parameters<typeof embeddingText>[0], 801);
    expect(text).not.toMatch(LONE_SURROGATE);
    expect(embeddingText(chunk as Parameters<typeof embeddingText>[0], 800)).not.toMatch(
      LONE_SURROGATE,
    );
  });
});
