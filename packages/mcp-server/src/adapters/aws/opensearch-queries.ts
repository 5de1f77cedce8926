import { EVERYONE } from '../../documents/document-access.js';
import { contentQuery, PLACE_WEIGHT, TITLE_WEIGHT } from '../../documents/ranking-fields.js';
import { ValidationError } from '../../errors.js';
import type {
  Chunk,
  DocumentInfo,
  SearchFilter,
  SearchHit,
  StoredChunk,
} from '../../ports/vector-store.js';

/** A chunk as stored in OpenSearch: `_source` of the chunk index. */
export interface ChunkSource {
  chunk_id: string;
  source: string;
  generation: string;
  content: string;
  title?: string;
  heading?: string;
  /** The document's lead (pageLead), ranked with each of its chunks and returned with each hit. */
  lead?: string;
  position: number;
  metadata: Record<string, string | number | boolean>;
  metadata_json: string;
  /** Who may read it (principals, see documents/document-access.ts); absent before access existed. */
  access?: string[];
  vector?: number[];
}

/** A document record as stored in OpenSearch: `_source` of the documents index. */
export interface DocumentSource {
  source: string;
  generation: string;
  title?: string;
  chunks: number;
  content_hash: string;
  ingested_at: string;
  access?: string[];
}

export interface RawHit<S> {
  _id: string;
  _score: number | null;
  _source?: S;
  sort?: unknown[];
}

/** Never ship vectors back on reads: they are large and nothing here needs them. */
export const WITHOUT_VECTOR = { excludes: ['vector'] };

export function toChunkSource(
  chunk: StoredChunk,
  generation: string,
  access: readonly string[] | undefined,
  lead?: string,
): ChunkSource {
  return {
    chunk_id: chunk.id,
    source: chunk.source,
    generation,
    content: chunk.content,
    ...(chunk.title !== undefined && { title: chunk.title }),
    ...(chunk.heading !== undefined && { heading: chunk.heading }),
    ...(lead !== undefined && { lead }),
    position: chunk.position,
    metadata: chunk.metadata,
    metadata_json: JSON.stringify(chunk.metadata),
    access: [...(access ?? [EVERYONE])],
    vector: Array.from(chunk.vector),
  };
}

export function toDocumentSource(document: DocumentInfo, generation: string): DocumentSource {
  return {
    source: document.source,
    generation,
    ...(document.title !== undefined && { title: document.title }),
    chunks: document.chunks,
    content_hash: document.contentHash,
    ingested_at: document.ingestedAt,
    access: [...(document.access ?? [EVERYONE])],
  };
}

export function fromDocumentSource(source: DocumentSource): DocumentInfo {
  const { access } = source;
  return {
    source: source.source,
    ...(source.title !== undefined && { title: source.title }),
    chunks: source.chunks,
    contentHash: source.content_hash,
    ingestedAt: source.ingested_at,
    // Everyone's is left implicit, as the document was given.
    ...(access && !(access.length === 1 && access[0] === EVERYONE) && { access }),
  };
}

/**
 * Entries `readers` may read: their `access` shares a principal with `readers` (a `terms`
 * filter), or they have none (stored before access existed: everyone's). Stored lists are
 * never empty (NOBODY), so a missing field means only that.
 */
export function accessClause(readers: readonly string[]): Record<string, unknown> {
  return {
    bool: {
      should: [
        { terms: { access: [...readers] } },
        { bool: { must_not: [{ exists: { field: 'access' } }] } },
      ],
      minimum_should_match: 1,
    },
  };
}

export function fromChunkSource(source: ChunkSource): Chunk;
export function fromChunkSource(source: ChunkSource, score: number): SearchHit;
export function fromChunkSource(source: ChunkSource, score?: number): Chunk | SearchHit {
  return {
    id: source.chunk_id,
    source: source.source,
    content: source.content,
    ...(source.title !== undefined && { title: source.title }),
    ...(source.heading !== undefined && { heading: source.heading }),
    position: source.position,
    metadata: JSON.parse(source.metadata_json) as SearchHit['metadata'],
    ...(score !== undefined && { score }),
    ...(score !== undefined && source.lead !== undefined && { lead: source.lead }),
  };
}

/** Exact-match filter clauses for the `source` keyword and `metadata.<field>` values. */
export function filterClauses(filter: SearchFilter | undefined): Record<string, unknown>[] {
  const clauses: Record<string, unknown>[] = [];
  if (filter?.source !== undefined) clauses.push({ term: { source: filter.source } });
  for (const [field, value] of Object.entries(filter?.metadata ?? {})) {
    if (field === '' || field.startsWith('.') || field.endsWith('.') || field.includes('*')) {
      throw new ValidationError(
        `filter.metadata: ${JSON.stringify(field)} is not a usable metadata field name; use the name as it was ingested`,
      );
    }
    clauses.push({ term: { [`metadata.${field}`]: value } });
  }
  if (filter?.readers !== undefined) clauses.push(accessClause(filter.readers));
  return clauses;
}

export function knnSearchBody(
  vector: Float32Array,
  k: number,
  filters: Record<string, unknown>[],
): Record<string, unknown> {
  return {
    size: k,
    _source: WITHOUT_VECTOR,
    query: {
      knn: {
        vector: {
          vector: Array.from(vector),
          k,
          // Inside the knn clause the filter is applied during the graph search, so a
          // selective filter still yields k results (a post-filter could leave none).
          ...(filters.length > 0 && { filter: { bool: { filter: filters } } }),
        },
      },
    },
  };
}

/**
 * BM25 over the fields the embedded index ranks (ranking-fields.ts), question words left out of
 * the query: the words (content, title, heading path and lead as one field: `cross_fields`)
 * must match; the title (TITLE_WEIGHT) and the heading path with the lead (PLACE_WEIGHT) add
 * their own scores when they match too.
 */
export function keywordSearchBody(
  text: string,
  size: number,
  filters: Record<string, unknown>[],
): Record<string, unknown> {
  const query = contentQuery(text);
  return {
    size,
    _source: WITHOUT_VECTOR,
    query: {
      bool: {
        must: [
          {
            multi_match: {
              query,
              fields: ['content', 'title', 'heading', 'lead'],
              type: 'cross_fields',
            },
          },
        ],
        should: [
          { multi_match: { query, fields: [`title^${TITLE_WEIGHT}`] } },
          {
            multi_match: {
              query,
              fields: [`heading^${PLACE_WEIGHT}`, `lead^${PLACE_WEIGHT}`],
              type: 'cross_fields',
            },
          },
        ],
        ...(filters.length > 0 && { filter: filters }),
      },
    },
  };
}

/** While a replacement is under way both generations of a chunk may be visible: keep the newest. */
export function newestGenerationOnly(hits: RawHit<ChunkSource>[]): RawHit<ChunkSource>[] {
  const newest = new Map<string, string>();
  for (const { _source: source } of hits) {
    if (!source) continue;
    const seen = newest.get(source.chunk_id);
    if (seen === undefined || seen < source.generation)
      newest.set(source.chunk_id, source.generation);
  }
  const kept = new Set<string>();
  return hits.filter(({ _source: source }) => {
    if (!source || newest.get(source.chunk_id) !== source.generation || kept.has(source.chunk_id)) {
      return false;
    }
    kept.add(source.chunk_id);
    return true;
  });
}

/** Opaque list cursor: the last source of the previous page, bound to the documents index. */
export function encodeListCursor(index: string, after: string): string {
  return Buffer.from(JSON.stringify({ v: 1, i: index, a: after }), 'utf8').toString('base64url');
}

export function decodeListCursor(index: string, cursor: string): string {
  const invalid = new ValidationError(
    'cursor: not a cursor from list_documents; pass the cursor value from the previous page unchanged, or omit it to start from the beginning',
  );
  let envelope: unknown;
  try {
    envelope = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    throw invalid;
  }
  const { v, i, a } = (envelope ?? {}) as { v?: unknown; i?: unknown; a?: unknown };
  if (v !== 1 || i !== index || typeof a !== 'string') throw invalid;
  return a;
}
