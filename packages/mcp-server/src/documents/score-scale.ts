/**
 * One score scale for every vector store, so that `threshold` means the same on every backend.
 * Scores are in [0, 1] and comparable within a search mode (not across modes):
 * - vector: (1 + cosine) / 2, which is what OpenSearch reports for `cosinesimil`;
 * - keyword: BM25 squashed by s / (s + KEYWORD_SCORE_SATURATION);
 * - hybrid: reciprocal rank fusion, divided by the best sum the fused rankings allow.
 */

/** The BM25 score that maps to 0.5. About one rare query term matched in a short chunk. */
export const KEYWORD_SCORE_SATURATION = 5;

/** The usual RRF constant (Cormack et al.): damps the weight of the very top ranks. */
export const RRF_K = 60;

/** Vector score from a cosine similarity in [-1, 1]. */
export function vectorScoreFromCosine(cosine: number): number {
  return clamp01((1 + cosine) / 2);
}

/** Vector score from a cosine distance (1 - cosine), as LanceDB reports it. */
export function vectorScoreFromCosineDistance(distance: number): number {
  return vectorScoreFromCosine(1 - distance);
}

/** Keyword score from a raw BM25 score: monotonic, so ranking is unchanged. */
export function keywordScore(bm25: number): number {
  if (!(bm25 > 0)) return 0;
  return clamp01(bm25 / (bm25 + KEYWORD_SCORE_SATURATION));
}

/** How many candidates each ranking contributes to a hybrid search of `limit` results. */
export function hybridCandidateCount(limit: number): number {
  return Math.min(Math.max(limit * 2, 20), 1000);
}

export interface FusedHit<T> {
  item: T;
  score: number;
}

/** How rankings are fused: the RRF constant and one weight per ranking (default 1 each). */
export interface FusionOptions {
  k?: number;
  weights?: readonly number[];
}

/**
 * Reciprocal rank fusion of best-first rankings. An item's score is the sum of
 * weight / (k + rank) over the rankings it appears in (rank from 1; k = RRF_K and every weight 1
 * unless given), divided by the maximum possible sum, so an item first in every ranking scores 1.
 * Ties keep the order of first appearance (first ranking first).
 */
export function fuseByReciprocalRank<T>(
  rankings: readonly (readonly T[])[],
  key: (item: T) => string,
  options: FusionOptions = {},
): FusedHit<T>[] {
  if (rankings.length === 0) return [];
  const k = options.k ?? RRF_K;
  const weights = rankings.map((_, i) => options.weights?.[i] ?? 1);
  const max = weights.reduce((sum, weight) => sum + weight / (k + 1), 0);
  if (!(max > 0)) return [];
  const fused = new Map<string, FusedHit<T>>();
  rankings.forEach((ranking, r) => {
    ranking.forEach((item, index) => {
      const id = key(item);
      const hit = fused.get(id) ?? { item, score: 0 };
      hit.score += weights[r]! / (k + index + 1);
      fused.set(id, hit);
    });
  });
  return [...fused.values()]
    .map((hit) => ({ item: hit.item, score: clamp01(hit.score / max) }))
    .sort((a, b) => b.score - a.score);
}

function clamp01(value: number): number {
  if (Number.isNaN(value)) return 0;
  return Math.min(1, Math.max(0, value));
}
