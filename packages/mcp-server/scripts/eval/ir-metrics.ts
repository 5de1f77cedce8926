/** Graded relevance judgments of one query: document id → grade (> 0 is relevant). */
export type Judgments = ReadonlyMap<string, number>;

/**
 * nDCG@k as BEIR reports it (pytrec_eval's ndcg_cut): gain = grade, discount log2(rank + 1),
 * ideal DCG from the query's judgments sorted by grade. Ranked ids are distinct documents.
 */
export function ndcgAt(k: number, ranked: readonly string[], judgments: Judgments): number {
  let dcg = 0;
  ranked.slice(0, k).forEach((id, i) => {
    const grade = judgments.get(id) ?? 0;
    if (grade > 0) dcg += grade / Math.log2(i + 2);
  });
  const ideal = [...judgments.values()]
    .filter((g) => g > 0)
    .sort((a, b) => b - a)
    .slice(0, k);
  const idcg = ideal.reduce((sum, grade, i) => sum + grade / Math.log2(i + 2), 0);
  return idcg === 0 ? 0 : dcg / idcg;
}

/** Recall@k: the share of the query's relevant documents found in the top k. */
export function recallAt(k: number, ranked: readonly string[], judgments: Judgments): number {
  const relevant = [...judgments].filter(([, g]) => g > 0).map(([id]) => id);
  if (relevant.length === 0) return 0;
  const top = new Set(ranked.slice(0, k));
  return relevant.filter((id) => top.has(id)).length / relevant.length;
}

/** Document ids in order of first appearance: a document ranks where its best chunk ranks. */
export function distinctSources(hits: readonly { source: string }[]): string[] {
  return [...new Set(hits.map((h) => h.source))];
}

export function mean(values: readonly number[]): number {
  return values.length === 0 ? 0 : values.reduce((a, b) => a + b, 0) / values.length;
}
