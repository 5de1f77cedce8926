import { Field, FixedSizeList, Float32, Int32, List, Schema, Utf8 } from 'apache-arrow';
import type { Chunk, DocumentInfo, SearchHit, StoredChunk } from '../../ports/vector-store.js';
import { metadataTerm } from './sql-filter.js';

/** One row of the chunks table. */
export interface ChunkRow extends Record<string, unknown> {
  id: string;
  source: string;
  title: string | null;
  heading: string | null;
  position: number;
  content: string;
  /** The chunk's metadata as JSON, returned as is. */
  metadata: string;
  /** One `metadataTerm` per field, for exact-match filters without parsing JSON in SQL. */
  metadata_terms: string[];
  vector: number[];
}

/** One row of the documents table. */
export interface DocumentRow extends Record<string, unknown> {
  source: string;
  title: string | null;
  chunks: number;
  content_hash: string;
  ingested_at: string;
}

/** The columns a search returns: everything but the vector and the index-only text. */
export const HIT_COLUMNS = ['id', 'source', 'title', 'heading', 'position', 'content', 'metadata'];

export function chunksSchema(dimensions: number): Schema {
  return new Schema([
    new Field('id', new Utf8(), false),
    new Field('source', new Utf8(), false),
    new Field('title', new Utf8(), true),
    new Field('heading', new Utf8(), true),
    new Field('position', new Int32(), false),
    new Field('content', new Utf8(), false),
    new Field('metadata', new Utf8(), false),
    new Field('metadata_terms', new List(new Field('item', new Utf8(), true)), false),
    new Field(
      'vector',
      new FixedSizeList(dimensions, new Field('item', new Float32(), true)),
      false,
    ),
  ]);
}

export const documentsSchema = new Schema([
  new Field('source', new Utf8(), false),
  new Field('title', new Utf8(), true),
  new Field('chunks', new Int32(), false),
  new Field('content_hash', new Utf8(), false),
  new Field('ingested_at', new Utf8(), false),
]);

/**
 * Columns of tables written before the keyword rankings moved in memory (LanceDB full-text
 * indexes over them); such a table keeps them, filled as before.
 */
export const LEGACY_TEXT_COLUMNS = ['search_text', 'search_grams'] as const;

export function toChunkRow(chunk: StoredChunk, legacyColumns = false): ChunkRow {
  const row: ChunkRow = {
    id: chunk.id,
    source: chunk.source,
    title: chunk.title ?? null,
    heading: chunk.heading ?? null,
    position: chunk.position,
    content: chunk.content,
    metadata: JSON.stringify(chunk.metadata),
    metadata_terms: Object.entries(chunk.metadata).map(([k, v]) => metadataTerm(k, v)),
    vector: Array.from(chunk.vector),
  };
  if (legacyColumns) {
    const searchText = [chunk.title, chunk.heading, chunk.content].filter(Boolean).join('\n');
    for (const column of LEGACY_TEXT_COLUMNS) row[column] = searchText;
  }
  return row;
}

/** A stored chunk row (HIT_COLUMNS) as a chunk, without its vector. */
export function fromChunkRow(row: Record<string, unknown>): Chunk {
  const { title, heading } = row;
  return {
    id: String(row.id),
    source: String(row.source),
    content: String(row.content),
    ...(typeof title === 'string' && { title }),
    ...(typeof heading === 'string' && { heading }),
    position: Number(row.position),
    metadata: JSON.parse(String(row.metadata)) as Chunk['metadata'],
  };
}

export function toDocumentRow(document: DocumentInfo): DocumentRow {
  return {
    source: document.source,
    title: document.title ?? null,
    chunks: document.chunks,
    content_hash: document.contentHash,
    ingested_at: document.ingestedAt,
  };
}

export function fromDocumentRow(row: Record<string, unknown>): DocumentInfo {
  const title = row.title;
  return {
    source: String(row.source),
    ...(typeof title === 'string' && { title }),
    chunks: Number(row.chunks),
    contentHash: String(row.content_hash),
    ingestedAt: String(row.ingested_at),
  };
}

/** A search result row (HIT_COLUMNS) with the score already on the store's common scale. */
export function toHit(row: Record<string, unknown>, score: number): SearchHit {
  const { title, heading } = row;
  return {
    id: String(row.id),
    source: String(row.source),
    content: String(row.content),
    ...(typeof title === 'string' && { title }),
    ...(typeof heading === 'string' && { heading }),
    position: Number(row.position),
    metadata: JSON.parse(String(row.metadata)) as SearchHit['metadata'],
    score,
  };
}
