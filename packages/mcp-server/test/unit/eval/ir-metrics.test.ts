import { describe, expect, it } from 'vitest';
import { distinctSources, ndcgAt, recallAt } from '../../../scripts/eval/ir-metrics.js';
import { seededSample } from '../../../scripts/eval/seeded-sample.js';

describe('retrieval metrics (BEIR definitions)', () => {
  const judgments = new Map([
    ['a', 1],
    ['b', 2],
    ['z', 0],
  ]);

  it('nDCG@k: graded gains, log2 discount, ideal from the judgments', () => {
    const idcg = 2 / Math.log2(2) + 1 / Math.log2(3);
    expect(ndcgAt(10, ['b', 'a'], judgments)).toBeCloseTo(1, 10);
    expect(ndcgAt(10, ['a', 'b'], judgments)).toBeCloseTo((1 + 2 / Math.log2(3)) / idcg, 10);
    expect(ndcgAt(10, ['x', 'b'], judgments)).toBeCloseTo(2 / Math.log2(3) / idcg, 10);
    expect(ndcgAt(1, ['a', 'b'], judgments)).toBeCloseTo(1 / 2, 10);
    expect(ndcgAt(10, ['z'], judgments)).toBe(0);
  });

  it('Recall@k counts only relevant documents in the top k', () => {
    expect(recallAt(100, ['x', 'a', 'z'], judgments)).toBe(0.5);
    expect(recallAt(1, ['x', 'a', 'b'], judgments)).toBe(0);
    expect(recallAt(3, ['x', 'a', 'b'], judgments)).toBe(1);
  });

  it('ranks a document where its best chunk ranks', () => {
    expect(
      distinctSources([{ source: 'a' }, { source: 'b' }, { source: 'a' }, { source: 'c' }]),
    ).toEqual(['a', 'b', 'c']);
  });

  it('samples the same distractors for the same seed', () => {
    const items = Array.from({ length: 100 }, (_, i) => i);
    expect(seededSample(items, 10, 42)).toEqual(seededSample(items, 10, 42));
    expect(seededSample(items, 10, 42)).not.toEqual(seededSample(items, 10, 43));
    expect(new Set(seededSample(items, 100, 1)).size).toBe(100);
  });
});
