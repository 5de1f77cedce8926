import { Field, FixedSizeList, Float32, Int32, List, Schema, Utf8 } from 'apache-arrow';
import type { DocumentInfo, SearchHit, StoredChunk } from '../../ports/vector-store.js';
import { metadataTerm } from './sql-filter.js';

/** One row of the chunks table. */
export interface ChunkRow extends Record<string, unknown> {
  id: string;
  source: string;
  title: string | null;
  heading: string | null;
  position: number;
  content: string;
  /** What the word index sees: title and heading path as well as the content. */
  search_text: string;
  /** The same text for the trigram index (LanceDB searches one index per column). */
  search_grams: string;
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
    new Field('search_text', new Utf8(), false),
    new Field('search_grams', new Utf8(), false),
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

export function toChunkRow(chunk: StoredChunk): ChunkRow {
  const searchText = [chunk.title, chunk.heading, chunk.content].filter(Boolean).join('\n');
  return {
    id: chunk.id,
    source: chunk.source,
    title: chunk.title ?? null,
    heading: chunk.heading ?? null,
    position: chunk.position,
    content: chunk.content,
    search_text: searchText,
    search_grams: searchText,
    metadata: JSON.stringify(chunk.metadata),
    metadata_terms: Object.entries(chunk.metadata).map(([k, v]) => metadataTerm(k, v)),
    vector: Array.from(chunk.vector),
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
