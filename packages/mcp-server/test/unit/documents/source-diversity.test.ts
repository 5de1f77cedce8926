import { describe, expect, it } from 'vitest';
import { diverseBySource, diverseCandidateCount } from '../../../src/documents/source-diversity.js';

const hits = (...sources: string[]) =>
  sources.map((source, i) => ({ id: `${source}#${i}`, source }));

describe('diverseBySource', () => {
  it('keeps at most two passages of a source while other sources have passages', () => {
    const ranked = hits('a', 'a', 'a', 'a', 'b', 'c');
    expect(diverseBySource(ranked, 4).map((h) => h.id)).toEqual(['a#0', 'a#1', 'b#4', 'c#5']);
  });

  it('fills the list again in ranking order when too few sources match', () => {
    const ranked = hits('a', 'a', 'a', 'b', 'a');
    expect(diverseBySource(ranked, 4).map((h) => h.id)).toEqual(['a#0', 'a#1', 'a#2', 'b#3']);
  });

  it('asks the store for three times the limit, within the largest limit', () => {
    expect(diverseCandidateCount(5, 20)).toBe(15);
    expect(diverseCandidateCount(10, 20)).toBe(20);
    expect(diverseCandidateCount(200, 1000)).toBe(600);
    expect(diverseCandidateCount(1000, 1000)).toBe(1000);
  });
});
