import { Index, type Table } from '@lancedb/lancedb';

/**
 * Drops the full-text indexes of a table written by an earlier version: the keyword rankings
 * now live in memory (lancedb-live-chunks.ts), and LanceDB rewrote those indexes on every
 * optimize (most of the disk and the time of one-document-at-a-time ingestion).
 */
export async function dropTextIndexes(chunks: Table): Promise<void> {
  for (const index of await chunks.listIndices()) {
    if (index.columns.some((c) => c === 'search_text' || c === 'search_grams'))
      await chunks.dropIndex(index.name);
  }
}

export async function hasVectorIndex(chunks: Table): Promise<boolean> {
  return (await chunks.listIndices()).some((i) => i.columns.includes('vector'));
}

/**
 * IVF-PQ over cosine distance: about √rows partitions, 16 dimensions per PQ sub-vector.
 * Training needs a few thousand rows, hence the minimum size before it is built.
 */
export async function createVectorIndex(
  chunks: Table,
  rows: number,
  dimensions: number,
): Promise<void> {
  await chunks.createIndex('vector', {
    config: Index.ivfPq({
      distanceType: 'cosine',
      numPartitions: Math.max(1, Math.round(Math.sqrt(rows))),
      numSubVectors: Math.max(1, Math.floor(dimensions / 16)),
    }),
  });
}
