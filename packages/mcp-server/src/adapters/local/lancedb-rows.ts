import { Field, FixedSizeList, Float32, Int32, List, Schema, Utf8 } from 'apache-arrow';
import type { Chunk, DocumentInfo, SearchHit, StoredChunk } from '../../ports/vector-store.js';
import { EVERYONE } from '../../documents/document-access.js';
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
  /** Who may read it (principals, see documents/document-access.ts); `['*']` for everyone. */
  access: string[];
  vector: number[];
}

/** One row of the documents table. */
export interface DocumentRow extends Record<string, unknown> {
  source: string;
  title: string | null;
  chunks: number;
  content_hash: string;
  ingested_at: string;
  access: string[];
}

/** The columns a search returns: everything but the vector and the index-only text. */
export const HIT_COLUMNS = ['id', 'source', 'title', 'heading', 'position', 'content', 'metadata'];
/** The columns read into memory at open: a hit's, and who may read it. */
export const LOAD_COLUMNS = [...HIT_COLUMNS, 'access'];

/**
 * The access column, added to tables written before documents had access (every row then
 * reads as everyone's: what they were).
 */
export const ACCESS_COLUMN = { name: 'access', valueSql: `make_array('${EVERYONE}')` };

const principalsField = (): List<Utf8> => new List(new Field('item', new Utf8(), true));

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
    new Field('access', principalsField(), true),
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
  new Field('access', principalsField(), true),
]);

/**
 * Columns of tables written before the keyword rankings moved in memory (LanceDB full-text
 * indexes over them); such a table keeps them, filled as before.
 */
export const LEGACY_TEXT_COLUMNS = ['search_text', 'search_grams'] as const;

export function toChunkRow(
  chunk: StoredChunk & { access?: readonly string[] },
  legacyColumns = false,
): ChunkRow {
  const row: ChunkRow = {
    id: chunk.id,
    source: chunk.source,
    title: chunk.title ?? null,
    heading: chunk.heading ?? null,
    position: chunk.position,
    content: chunk.content,
    metadata: JSON.stringify(chunk.metadata),
    metadata_terms: Object.entries(chunk.metadata).map(([k, v]) => metadataTerm(k, v)),
    access: [...(chunk.access ?? [EVERYONE])],
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

/** A chunk row read at open (LOAD_COLUMNS): the chunk and who may read it. */
export function fromLoadedChunkRow(row: Record<string, unknown>): Chunk & { access: string[] } {
  return { ...fromChunkRow(row), access: principalsOf(row.access) ?? [EVERYONE] };
}

/** A list column read back (an Arrow vector, or an array); undefined when null. */
function principalsOf(value: unknown): string[] | undefined {
  if (value === null || value === undefined) return undefined;
  const list = Array.isArray(value) ? value : (value as { toArray(): unknown[] }).toArray();
  return Array.from(list, String);
}

export function toDocumentRow(document: DocumentInfo): DocumentRow {
  return {
    source: document.source,
    title: document.title ?? null,
    chunks: document.chunks,
    content_hash: document.contentHash,
    ingested_at: document.ingestedAt,
    access: [...(document.access ?? [EVERYONE])],
  };
}

export function fromDocumentRow(row: Record<string, unknown>): DocumentInfo {
  const title = row.title;
  const access = principalsOf(row.access);
  return {
    source: String(row.source),
    ...(typeof title === 'string' && { title }),
    chunks: Number(row.chunks),
    contentHash: String(row.content_hash),
    ingestedAt: String(row.ingested_at),
    // Everyone's is left implicit, as the document was given.
    ...(access && !(access.length === 1 && access[0] === EVERYONE) && { access }),
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
