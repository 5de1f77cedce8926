import type { Client } from '@opensearch-project/opensearch';
import { ValidationError } from '../../errors.js';
import type { Chunk, DocumentInfo } from '../../ports/vector-store.js';
import { searchHits } from './opensearch-requests.js';
import {
  decodeListCursor,
  encodeListCursor,
  filterClauses,
  fromChunkSource,
  fromDocumentSource,
  WITHOUT_VECTOR,
  type ChunkSource,
  type DocumentSource,
  type RawHit,
} from './opensearch-queries.js';

/** The most hits one OpenSearch search returns (`index.max_result_window`). */
export const MAX_RESULTS = 10_000;
/** Chunks per page when reading a document back. */
const CHUNK_PAGE = 500;

/** The chunk index and the document-record index of one store. */
export interface StoreIndexes {
  chunks: string;
  documents: string;
}

/** `limit` when it is a whole number from 1 to {@link MAX_RESULTS}; otherwise a ValidationError. */
export function checkLimit(limit: number, field: string): number {
  if (!Number.isInteger(limit) || limit < 1 || limit > MAX_RESULTS) {
    throw new ValidationError(
      `${field}: must be a whole number from 1 to ${MAX_RESULTS}, not ${String(limit)}`,
    );
  }
  return limit;
}

/** The newest record of `source`, if `readers` (when given) may read it. */
export async function latestRecord(
  client: Client,
  documentsIndex: string,
  source: string,
  readers: readonly string[] | undefined,
): Promise<RawHit<DocumentSource> | undefined> {
  const [record] = await searchHits<DocumentSource>(
    client,
    documentsIndex,
    `read the document "${source}"`,
    {
      size: 1,
      query: {
        bool: {
          filter: [{ term: { source } }, ...filterClauses({ ...(readers && { readers }) })],
        },
      },
      sort: [{ generation: 'desc' }],
    },
  );
  return record;
}

/**
 * The chunks of the generation the document record names (a replacement under way may have
 * written part of a newer one), paged in position order with search_after.
 */
export async function readChunks(
  client: Client,
  indexes: StoreIndexes,
  source: string,
  readers: readonly string[] | undefined,
): Promise<Chunk[]> {
  const record = await latestRecord(client, indexes.documents, source, readers);
  const generation = record?._source?.generation;
  if (generation === undefined) return [];
  const chunks: Chunk[] = [];
  let after: unknown[] | undefined;
  for (;;) {
    const hits = await searchHits<ChunkSource>(
      client,
      indexes.chunks,
      `read the chunks of "${source}"`,
      {
        size: CHUNK_PAGE,
        _source: WITHOUT_VECTOR,
        query: {
          bool: {
            filter: [
              { term: { source } },
              { term: { generation } },
              ...filterClauses({ ...(readers && { readers }) }),
            ],
          },
        },
        sort: [{ position: 'asc' }],
        ...(after && { search_after: after }),
      },
    );
    for (const hit of hits) if (hit._source) chunks.push(fromChunkSource(hit._source));
    const last = hits.at(-1);
    if (hits.length < CHUNK_PAGE || !last?.sort) return chunks;
    after = last.sort;
  }
}

/** One page of document records in source order, the newest record of each source. */
export async function listDocumentPage(
  client: Client,
  documentsIndex: string,
  options: { limit: number; after: string | undefined; readers?: readonly string[] },
): Promise<{ documents: DocumentInfo[]; cursor?: string }> {
  const { limit, after } = options;
  // Twice the page plus one: a source may briefly have two records (see replaceDocument).
  const size = Math.min(limit * 2 + 1, MAX_RESULTS);
  const hits = await searchHits<DocumentSource>(client, documentsIndex, 'list the documents', {
    size,
    query: {
      bool: {
        filter: [
          ...(after === undefined ? [] : [{ range: { source: { gt: after } } }]),
          ...filterClauses({ ...(options.readers && { readers: options.readers }) }),
        ],
      },
    },
    sort: [{ source: 'asc' }, { generation: 'desc' }],
  });
  const documents: DocumentInfo[] = [];
  let more = hits.length === size;
  for (const { _source: record } of hits) {
    if (!record || record.source === documents.at(-1)?.source) continue;
    if (documents.length === limit) {
      more = true;
      break;
    }
    documents.push(fromDocumentSource(record));
  }
  const last = documents.at(-1);
  return more && last
    ? { documents, cursor: encodeListCursor(documentsIndex, last.source) }
    : { documents };
}

/** The source a list cursor continues after (a ValidationError for a cursor of another index). */
export const listCursorAfter = (documentsIndex: string, cursor: string | undefined) =>
  cursor === undefined ? undefined : decodeListCursor(documentsIndex, cursor);
