import { RRF_K } from '../../documents/score-scale.js';
import { HASHING_EMBEDDER_ID_PREFIX } from './hashing-embedder.js';

/**
 * Weighted reciprocal rank fusion of the three rankings of a hybrid search: vector, keyword
 * (BM25 over words) and trigram (BM25 over character trigrams). The right vector weight
 * depends on the embedder: a semantic model earns an equal say; a lexical sketch such as
 * HashingEmbedder, which mostly repeats what BM25 already knows, much less.
 */
export interface HybridFusion {
  /** The RRF constant: larger flattens the advantage of the very top ranks. */
  k: number;
  vectorWeight: number;
  keywordWeight: number;
  /** 0 leaves the trigram ranking out. */
  trigramWeight: number;
  /**
   * Keep the vector ranking once an approximate (IVF-PQ) vector index serves it. A lexical
   * sketch has too little cluster structure for one: on 100k chunks the index found a quarter of
   * the exact top 20 and cost more than every other ranking together (`pnpm bench`).
   */
  vectorWhenIndexed: boolean;
}

/** Plain RRF for a semantic embedder, plus a light trigram ranking for typos and identifiers. */
export const DEFAULT_FUSION: HybridFusion = {
  k: RRF_K,
  vectorWeight: 1,
  keywordWeight: 1,
  trigramWeight: 0.3,
  vectorWhenIndexed: true,
};

/**
 * For HashingEmbedder, chosen on the SciFact train queries with the Porter2 word ranking and
 * LEXICAL_BM25 (`pnpm tune:lexical`; scripts/eval-retrieval.ts checks it through the store). Its
 * vectors add nothing to the two BM25 rankings (hybrid nDCG@10 0.7121 with a weight of 0.05,
 * 0.7120 without, 0.7102 with 0.2) and cost more than both (an exact scan of every vector per
 * query), so hybrid search is the word and trigram rankings alone. A small k, which trusts the
 * very top of each ranking, scored best: k 1-5 with trigram weights 0.6-0.8 all 0.708-0.712,
 * k 10 0.707, k 60 0.704; k 1 with 0.6 scored best (0.7120, Recall@100 0.9429). With the
 * letter and digit runs of `wordTerms` it still did (0.7182, 0.9442; k 1-3 with trigram weights
 * 0.4-0.8 all 0.713-0.718), so the settings were kept.
 */
export const HASHING_EMBEDDER_FUSION: HybridFusion = {
  k: 1,
  vectorWeight: 0,
  keywordWeight: 1,
  trigramWeight: 0.6,
  vectorWhenIndexed: false,
};

/** The fusion tuned for an embedder: HASHING_EMBEDDER_FUSION for HashingEmbedder, else the default. */
export function fusionFor(embedderId: string): HybridFusion {
  return embedderId.startsWith(HASHING_EMBEDDER_ID_PREFIX)
    ? HASHING_EMBEDDER_FUSION
    : DEFAULT_FUSION;
}
