import { Index, type Table } from '@lancedb/lancedb';

/** Word index: BM25 over English words, stemmed (Snowball), stop words out, accents folded. */
export const WORD_INDEX_COLUMN = 'search_text';
/** Trigram index: BM25 over character trigrams, for typos, word pieces and identifiers. */
export const TRIGRAM_INDEX_COLUMN = 'search_grams';

const WORDS = {
  baseTokenizer: 'simple',
  lowercase: true,
  stem: true,
  language: 'English',
  removeStopWords: true,
  asciiFolding: true,
  // Positions serve phrase queries, which are not used; leaving them out halves the index.
  withPosition: false,
} as const;

const TRIGRAMS = {
  baseTokenizer: 'ngram',
  ngramMinLength: 3,
  ngramMaxLength: 3,
  prefixOnly: false,
  lowercase: true,
  asciiFolding: true,
  stem: false,
  removeStopWords: false,
  withPosition: false,
} as const;

/**
 * Creates the full-text indexes a chunks table lacks. They can be created on an empty table:
 * rows written later are searched unindexed (correct, slower) until the next `optimize`.
 */
export async function ensureTextIndexes(chunks: Table): Promise<void> {
  const indexed = new Set((await chunks.listIndices()).flatMap((i) => i.columns));
  if (!indexed.has(WORD_INDEX_COLUMN)) {
    await chunks.createIndex(WORD_INDEX_COLUMN, { config: Index.fts(WORDS) });
  }
  if (!indexed.has(TRIGRAM_INDEX_COLUMN)) {
    await chunks.createIndex(TRIGRAM_INDEX_COLUMN, { config: Index.fts(TRIGRAMS) });
  }
}

/**
 * Whether the text indexes cover no rows while the table has some. LanceDB 0.37 searches
 * unindexed rows too, but when *no* row is indexed it applies the limit before ranking, so the
 * "top" hits are simply the first matches in file order. Indexing right away avoids that.
 */
export async function textIndexesEmpty(chunks: Table): Promise<boolean> {
  const stats = await chunks.indexStats(`${WORD_INDEX_COLUMN}_idx`);
  return stats !== undefined && stats.numIndexedRows === 0 && stats.numUnindexedRows > 0;
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
