import type { Client } from '@opensearch-project/opensearch';
import {
  fuseByReciprocalRank,
  hybridCandidateCount,
  keywordScore,
  vectorScoreFromCosine,
} from '../../documents/score-scale.js';
import type { SearchHit, SearchMode } from '../../ports/vector-store.js';
import {
  fromChunkSource,
  keywordSearchBody,
  knnSearchBody,
  newestGenerationOnly,
  type ChunkSource,
} from './opensearch-queries.js';
import { searchHits } from './opensearch-requests.js';

export interface ChunkSearch {
  index: string;
  mode: SearchMode;
  text: string;
  /** Required for vector and hybrid modes (checked by the caller). */
  vector?: Float32Array;
  limit: number;
  filters: Record<string, unknown>[];
}

/**
 * Best-first hits scored on the shared scale (documents/score-scale.ts). Hybrid runs both
 * searches and fuses them client-side by reciprocal rank, as the embedded store does, so a mode
 * means the same on every backend.
 */
export async function searchChunks(client: Client, search: ChunkSearch): Promise<SearchHit[]> {
  const { index, mode, text, vector, limit, filters } = search;
  if (mode === 'vector') return vectorHits(client, index, vector as Float32Array, limit, filters);
  if (mode === 'keyword') return keywordHits(client, index, text, limit, filters);
  const candidates = hybridCandidateCount(limit);
  const [byVector, byKeyword] = await Promise.all([
    vectorHits(client, index, vector as Float32Array, candidates, filters),
    keywordHits(client, index, text, candidates, filters),
  ]);
  return fuseByReciprocalRank([byVector, byKeyword], (hit) => hit.id).map(({ item, score }) => ({
    ...item,
    score,
  }));
}

async function vectorHits(
  client: Client,
  index: string,
  vector: Float32Array,
  k: number,
  filters: Record<string, unknown>[],
): Promise<SearchHit[]> {
  const body = knnSearchBody(vector, k, filters);
  const raw = await searchHits<ChunkSource>(client, index, 'run a vector search', body);
  // For cosinesimil OpenSearch reports (1 + cosine) / 2 (Lucene, and Faiss from 2.19).
  return newestGenerationOnly(raw).map((hit) =>
    fromChunkSource(hit._source as ChunkSource, vectorScoreFromCosine(2 * (hit._score ?? 0) - 1)),
  );
}

async function keywordHits(
  client: Client,
  index: string,
  text: string,
  size: number,
  filters: Record<string, unknown>[],
): Promise<SearchHit[]> {
  if (text.trim() === '') return [];
  const body = keywordSearchBody(text, size, filters);
  const raw = await searchHits<ChunkSource>(client, index, 'run a keyword search', body);
  return newestGenerationOnly(raw).map((hit) =>
    fromChunkSource(hit._source as ChunkSource, keywordScore(hit._score ?? 0)),
  );
}
