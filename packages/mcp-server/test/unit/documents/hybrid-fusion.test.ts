import { describe, expect, it } from 'vitest';
import { HashingEmbedder } from '../../../src/adapters/local/hashing-embedder.js';
import {
  DEFAULT_FUSION,
  fusionFor,
  HASHING_EMBEDDER_FUSION,
} from '../../../src/adapters/local/hybrid-fusion.js';
import { fuseByReciprocalRank, RRF_K } from '../../../src/documents/score-scale.js';

const id = (x: string): string => x;

describe('weighted reciprocal rank fusion', () => {
  it('without options is plain RRF with k = 60, scaled so first everywhere scores 1', () => {
    const fused = fuseByReciprocalRank(
      [
        ['a', 'b'],
        ['a', 'c'],
      ],
      id,
    );
    expect(fused.map((f) => f.item)).toEqual(['a', 'b', 'c']);
    expect(fused[0]!.score).toBe(1);
    expect(fused[1]!.score).toBeCloseTo(1 / (RRF_K + 2) / (2 / (RRF_K + 1)), 12);
  });

  it('applies k and per-ranking weights, and still scales by the best possible sum', () => {
    const fused = fuseByReciprocalRank([['v'], ['k']], id, { k: 20, weights: [0.1, 1] });
    expect(fused.map((f) => f.item)).toEqual(['k', 'v']);
    expect(fused[0]!.score).toBeCloseTo(1 / 1.1, 12);
    expect(fused[1]!.score).toBeCloseTo(0.1 / 1.1, 12);
    expect(fuseByReciprocalRank([['x'], ['x']], id, { k: 20, weights: [0.1, 1] })[0]!.score).toBe(
      1,
    );
  });

  it('returns nothing when every weight is 0', () => {
    expect(fuseByReciprocalRank([['a']], id, { weights: [0] })).toEqual([]);
  });
});

describe('fusionFor', () => {
  it('gives HashingEmbedder its tuned fusion and any other embedder the default', () => {
    expect(fusionFor(new HashingEmbedder().id)).toBe(HASHING_EMBEDDER_FUSION);
    expect(fusionFor(new HashingEmbedder({ dimensions: 256 }).id)).toBe(HASHING_EMBEDDER_FUSION);
    expect(fusionFor('amazon.titan-embed-text-v2:0:1024')).toBe(DEFAULT_FUSION);
  });
});
