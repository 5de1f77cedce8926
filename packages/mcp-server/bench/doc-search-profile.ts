// Where a hybrid search's time goes, through the store itself: the query embedding, then each
// mode alone. With HashingEmbedder, hybrid is the two in-memory BM25 rankings (words and,
// up to TRIGRAM_MAX_ROWS chunks, trigrams) fused; vector search reads LanceDB.
import type { LanceDbVectorStore } from '../src/adapters/local/lancedb-vector-store.js';
import type { Embedder } from '../src/ports/embedder.js';
import type { SearchMode } from '../src/ports/vector-store.js';
import { percentile } from './stats.js';

export const STAGES = ['embed query', 'vector', 'keyword (words)', 'hybrid'] as const;

export interface StageProfile {
  /** Whether vector search used the IVF-PQ index (else exact brute force). */
  vectorIndexed: boolean;
  /** Per stage, in STAGES order: p50 and p99 in ms. */
  stages: { stage: (typeof STAGES)[number]; p50Ms: number; p99Ms: number }[];
}

export async function profileHybrid(
  store: LanceDbVectorStore,
  embedder: Embedder,
  queries: readonly string[],
  limit: number,
  vectorIndexed: boolean,
): Promise<StageProfile> {
  const samples = STAGES.map(() => [] as number[]);
  const timed = async <T>(stage: number, run: () => Promise<T>): Promise<T> => {
    const started = performance.now();
    const result = await run();
    samples[stage]!.push(performance.now() - started);
    return result;
  };
  const modes: SearchMode[] = ['vector', 'keyword', 'hybrid'];
  for (const text of queries) {
    const [vector] = await timed(0, () => embedder.embed([text], 'query'));
    for (const [i, mode] of modes.entries())
      await timed(i + 1, () => store.search({ text, vector, mode, limit }));
  }
  return {
    vectorIndexed,
    stages: STAGES.map((stage, i) => ({
      stage,
      p50Ms: percentile(samples[i]!, 50),
      p99Ms: percentile(samples[i]!, 99),
    })),
  };
}
