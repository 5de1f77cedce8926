import { MatchQuery, type Table } from '@lancedb/lancedb';
import { keywordScore, vectorScoreFromCosineDistance } from '../../documents/score-scale.js';
import type { SearchHit } from '../../ports/vector-store.js';
import { TRIGRAM_INDEX_COLUMN, WORD_INDEX_COLUMN } from './lancedb-indexes.js';
import { HIT_COLUMNS, toHit } from './lancedb-rows.js';
import { STOP_WORDS, tokenize } from './text-features.js';

type Row = Record<string, unknown>;

// `_distance` and `_score` are selected explicitly: LanceDB warns on every query otherwise.

/** Nearest chunks by cosine; exact below the vector index threshold, refined IVF-PQ above. */
export async function vectorSearch(
  chunks: Table,
  vector: Float32Array,
  limit: number,
  options: { where?: string; indexed: boolean },
): Promise<SearchHit[]> {
  let q = chunks
    .query()
    .nearestTo(vector)
    .distanceType('cosine')
    .select([...HIT_COLUMNS, '_distance'])
    .limit(limit);
  // PQ distances are approximate; re-ranking 10x `limit` on the exact vectors fixes the order.
  if (options.indexed) q = q.nprobes(20).refineFactor(10);
  if (options.where) q = q.where(options.where);
  const rows = (await q.toArray()) as Row[];
  return rows.map((row) => toHit(row, vectorScoreFromCosineDistance(Number(row._distance))));
}

/** BM25 over stemmed words: the keyword mode, and the backbone of hybrid search. */
export async function keywordSearch(
  chunks: Table,
  text: string,
  limit: number,
  where?: string,
): Promise<SearchHit[]> {
  return fullText(chunks, new MatchQuery(text, WORD_INDEX_COLUMN), limit, where);
}

/**
 * BM25 over character trigrams of the query's content words: finds "kubernetes" for
 * "kubernets" and "OAuth2" for "oauth", which stemmed words miss. Used inside hybrid only.
 */
export async function trigramSearch(
  chunks: Table,
  text: string,
  limit: number,
  where?: string,
): Promise<SearchHit[]> {
  // Stop words would add trigrams ("the", "and") found in every chunk: noise, and slow.
  const words = tokenize(text).filter((w) => !STOP_WORDS.has(w));
  if (words.length === 0) return [];
  return fullText(chunks, new MatchQuery(words.join(' '), TRIGRAM_INDEX_COLUMN), limit, where);
}

async function fullText(
  chunks: Table,
  query: MatchQuery,
  limit: number,
  where?: string,
): Promise<SearchHit[]> {
  let q = chunks
    .query()
    .fullTextSearch(query)
    .select([...HIT_COLUMNS, '_score'])
    .limit(limit);
  if (where) q = q.where(where);
  const rows = (await q.toArray()) as Row[];
  // Best first, whatever order LanceDB merged indexed and unindexed rows in.
  return rows
    .map((row) => toHit(row, keywordScore(Number(row._score))))
    .sort((a, b) => b.score - a.score);
}
