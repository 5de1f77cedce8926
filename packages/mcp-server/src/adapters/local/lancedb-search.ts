import type { Table } from '@lancedb/lancedb';
import { vectorScoreFromCosineDistance } from '../../documents/score-scale.js';
import type { SearchHit } from '../../ports/vector-store.js';
import { filterMatcher, liveHit, type LiveChunk } from './lancedb-live-chunks.js';
import { HIT_COLUMNS, toHit } from './lancedb-rows.js';
import type { SearchFilter } from '../../ports/vector-store.js';
import { filterSql } from './sql-filter.js';

type Row = Record<string, unknown>;

/** Chunks LanceDB does not hold yet (or holds in an older version), as one vector search sees them. */
export interface VectorOverlay {
  /** Sources whose rows in LanceDB are stale: replaced or deleted since. */
  staleSources: ReadonlySet<string>;
  /** How many rows of LanceDB those sources hold: they are fetched and dropped. */
  staleRows: number;
  /** The current chunks of those sources, with their vectors. */
  chunks: readonly (LiveChunk & { vector: Float32Array })[];
}

/**
 * Nearest chunks by cosine: LanceDB's rows (exact below the vector index threshold, refined
 * IVF-PQ above) with the stale ones dropped, merged with the chunks written since the last
 * flush, scored exactly here. The overlay is taken before LanceDB is read, so a flush that
 * commits meanwhile cannot make a source appear twice or not at all.
 */
export async function vectorSearch(
  chunks: Table,
  vector: Float32Array,
  limit: number,
  options: { filter?: SearchFilter; indexed: boolean; overlay: VectorOverlay },
): Promise<SearchHit[]> {
  const { overlay } = options;
  const matches = filterMatcher(options.filter);
  const fresh = overlay.chunks
    .filter((chunk) => !matches || matches(chunk))
    .map((chunk) => liveHit(chunk, vectorScoreFromCosine(vector, chunk.vector)));
  let q = chunks
    .query()
    .nearestTo(vector)
    .distanceType('cosine')
    // `_distance` is selected explicitly: LanceDB warns on every query otherwise.
    .select([...HIT_COLUMNS, '_distance'])
    .limit(limit + overlay.staleRows);
  // PQ distances are approximate; re-ranking 10x `limit` on the exact vectors fixes the order.
  if (options.indexed) q = q.nprobes(20).refineFactor(10);
  const where = filterSql(options.filter);
  if (where) q = q.where(where);
  const rows = (await q.toArray()) as Row[];
  const stored = rows
    .filter((row) => !overlay.staleSources.has(String(row.source)))
    .map((row) => toHit(row, vectorScoreFromCosineDistance(Number(row._distance))));
  return [...stored, ...fresh].sort((a, b) => b.score - a.score).slice(0, limit);
}

function vectorScoreFromCosine(query: Float32Array, vector: Float32Array): number {
  let dot = 0;
  let qq = 0;
  let vv = 0;
  for (let i = 0; i < query.length; i++) {
    const a = query[i]!;
    const b = vector[i] ?? 0;
    dot += a * b;
    qq += a * a;
    vv += b * b;
  }
  const cosine = qq > 0 && vv > 0 ? dot / Math.sqrt(qq * vv) : 0;
  return vectorScoreFromCosineDistance(1 - cosine);
}
