// Where a hybrid search's time goes: each stage of LanceDbVectorStore's hybrid search run alone,
// in order, with the adapter's own functions on a second, read-only handle of the same table.
// In the store the rankings run concurrently, so a hybrid search costs about the embedding plus
// the slowest ranking it runs (plus contention for the same cores); every stage is timed here,
// whether or not the store runs it at this size.
import { join } from 'node:path';
import { connect } from '@lancedb/lancedb';
import { fusionFor } from '../src/adapters/local/hybrid-fusion.js';
import { hasVectorIndex } from '../src/adapters/local/lancedb-indexes.js';
import {
  keywordSearch,
  trigramSearch,
  vectorSearch,
} from '../src/adapters/local/lancedb-search.js';
import { fuseByReciprocalRank, hybridCandidateCount } from '../src/documents/score-scale.js';
import type { Embedder } from '../src/ports/embedder.js';
import type { SearchHit } from '../src/ports/vector-store.js';
import { percentile } from './stats.js';

export const STAGES = [
  'embed query',
  'vector',
  'keyword (words)',
  'keyword (trigrams)',
  'fusion',
] as const;

export interface StageProfile {
  /** Whether vector search used the IVF-PQ index (else exact brute force). */
  vectorIndexed: boolean;
  /** Per stage, in STAGES order: p50 and p99 in ms. */
  stages: { stage: (typeof STAGES)[number]; p50Ms: number; p99Ms: number }[];
}

export async function profileHybrid(
  dataDir: string,
  embedder: Embedder,
  queries: readonly string[],
  limit: number,
): Promise<StageProfile> {
  const db = await connect(join(dataDir, 'documents'));
  const chunks = await db.openTable('chunks');
  try {
    const indexed = await hasVectorIndex(chunks);
    const depth = hybridCandidateCount(limit);
    const { k, vectorWeight, keywordWeight, trigramWeight } = fusionFor(embedder.id);
    const samples = STAGES.map(() => [] as number[]);
    const timed = async <T>(stage: number, run: () => Promise<T> | T): Promise<T> => {
      const started = performance.now();
      const result = await run();
      samples[stage]!.push(performance.now() - started);
      return result;
    };
    for (const query of queries) {
      const [vector] = await timed(0, () => embedder.embed([query], 'query'));
      const rankings: SearchHit[][] = [
        await timed(1, () => vectorSearch(chunks, vector!, depth, { indexed })),
        await timed(2, () => keywordSearch(chunks, query, depth)),
        await timed(3, () => trigramSearch(chunks, query, depth)),
      ];
      await timed(4, () =>
        fuseByReciprocalRank(rankings, (hit) => hit.id, {
          k,
          weights: [vectorWeight, keywordWeight, trigramWeight],
        }).slice(0, limit),
      );
    }
    return {
      vectorIndexed: indexed,
      stages: STAGES.map((stage, i) => ({
        stage,
        p50Ms: percentile(samples[i]!, 50),
        p99Ms: percentile(samples[i]!, 99),
      })),
    };
  } finally {
    chunks.close();
    db.close();
  }
}
