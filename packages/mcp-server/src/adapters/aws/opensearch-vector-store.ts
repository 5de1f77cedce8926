import { randomBytes } from 'node:crypto';
import type { Client } from '@opensearch-project/opensearch';
import { pageLead } from '../../documents/ranking-fields.js';
import { UpstreamError, ValidationError } from '../../errors.js';
import type { Embedder } from '../../ports/embedder.js';
import type {
  Chunk,
  DocumentInfo,
  SearchHit,
  SearchQuery,
  StoredChunk,
  VectorStore,
} from '../../ports/vector-store.js';
import { translateOpenSearchError } from './opensearch-errors.js';
import { bulkIndex, deleteIds, findIds, searchHits } from './opensearch-requests.js';
import { searchChunks } from './opensearch-search.js';
import {
  chunkIndexBody,
  documentIndexBody,
  ensureIndex,
  type ChunkIndexSpec,
  type KnnEngine,
} from './opensearch-index.js';
import {
  decodeListCursor,
  encodeListCursor,
  filterClauses,
  fromChunkSource,
  fromDocumentSource,
  toChunkSource,
  toDocumentSource,
  WITHOUT_VECTOR,
  type ChunkSource,
  type DocumentSource,
  type RawHit,
} from './opensearch-queries.js';

export interface OpenSearchVectorStoreOptions {
  client: Client;
  /** Sets the vector dimension and is recorded in the index, so a model change is caught. */
  embedder: Pick<Embedder, 'id' | 'dimensions'>;
  /** The chunk index. Default `chatbot-chunks`. */
  index?: string;
  /** The small index of document records. Default `<index>-documents`. */
  documentsIndex?: string;
  engine?: KnnEngine;
  /** Create missing indexes on first use (default true). */
  createIndex?: boolean;
  /**
   * Refresh after writes so reads see them at once (default true). Turn off for OpenSearch
   * Serverless, which has no refresh API; writes there become searchable within seconds.
   */
  refresh?: boolean;
  /** Chunks per `_bulk` request. */
  bulkSize?: number;
}

/** Unique orders for paging through ids: a chunk id is unique within a generation. */
const CHUNK_ORDER: Record<string, 'asc'>[] = [{ generation: 'asc' }, { chunk_id: 'asc' }];
const RECORD_ORDER: Record<string, 'asc'>[] = [{ generation: 'asc' }];
const MAX_RESULTS = 10_000;
/** Chunks per page when reading a document back. */
const CHUNK_PAGE = 500;

/**
 * The VectorStore on OpenSearch (a managed domain, a Serverless vector collection, or a local node).
 *
 * Writes never name document ids, because Serverless vector collections refuse them, and never use
 * `_delete_by_query`, which Serverless lacks. Instead every replacement writes a new generation of
 * chunks, and only once all of them are stored deletes the older generations by id. A failed
 * write therefore leaves the previous version whole; searches hide an older generation of a
 * chunk while both are briefly visible.
 */
export class OpenSearchVectorStore implements VectorStore {
  private readonly client: Client;
  private readonly spec: ChunkIndexSpec;
  private readonly documentsIndex: string;
  private readonly createIndex: boolean;
  private readonly refresh: boolean;
  private readonly bulkSize: number;
  private ready: Promise<void> | undefined;
  private lastGenerationMs = 0;

  constructor(options: OpenSearchVectorStoreOptions) {
    this.client = options.client;
    const name = options.index ?? 'chatbot-chunks';
    this.spec = {
      name,
      dimensions: options.embedder.dimensions,
      embedderId: options.embedder.id,
      engine: options.engine ?? 'faiss',
    };
    this.documentsIndex = options.documentsIndex ?? `${name}-documents`;
    this.createIndex = options.createIndex ?? true;
    this.refresh = options.refresh ?? true;
    this.bulkSize = Math.max(1, options.bulkSize ?? 100);
  }

  async replaceDocument(document: DocumentInfo, chunks: readonly StoredChunk[]): Promise<void> {
    checkChunks(document, chunks, this.spec.dimensions);
    await this.ensureIndexes();
    const { source } = document;
    const generation = this.nextGeneration();
    const lead = pageLead(chunks);
    const written: string[] = [];
    try {
      for (let start = 0; start < chunks.length; start += this.bulkSize) {
        const batch = chunks.slice(start, start + this.bulkSize);
        const docs = batch.map((chunk) => toChunkSource(chunk, generation, document.access, lead));
        const operation = `write the chunks of "${source}"`;
        const failure = await bulkIndex(this.client, this.spec.name, docs, operation, written);
        if (failure) throw failure;
      }
    } catch (error) {
      await deleteIds(this.client, this.spec.name, written).catch(() => undefined);
      if (!(error instanceof UpstreamError)) throw error;
      const message = `${error.message}; the previous version of "${source}" is unchanged`;
      throw new UpstreamError(message, { cause: error });
    }
    // Old chunks go before the document record moves on: if this fails, the record still shows
    // the old content hash, so ingesting again is not skipped and finishes the clean-up.
    await this.deleteOlder(this.spec.name, source, generation);
    const record = [toDocumentSource(document, generation)];
    const operation = `record the document "${source}"`;
    const failure = await bulkIndex(this.client, this.documentsIndex, record, operation, []);
    if (failure) throw failure;
    await this.deleteOlder(this.documentsIndex, source, generation);
    await this.refreshIndexes();
  }

  async getDocument(
    source: string,
    readers?: readonly string[],
  ): Promise<DocumentInfo | undefined> {
    const found = (await this.latestRecord(source, readers))?._source;
    return found ? fromDocumentSource(found) : undefined;
  }

  /**
   * The chunks of the generation the document record names (a replacement under way may have
   * written part of a newer one), paged in position order with search_after.
   */
  async getChunks(source: string, readers?: readonly string[]): Promise<Chunk[]> {
    const record = await this.latestRecord(source, readers);
    const generation = record?._source?.generation;
    if (generation === undefined) return [];
    const chunks: Chunk[] = [];
    let after: unknown[] | undefined;
    for (;;) {
      const hits = await searchHits<ChunkSource>(
        this.client,
        this.spec.name,
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

  async deleteDocument(source: string): Promise<number> {
    await this.ensureIndexes();
    const filters = [{ term: { source } }];
    const operation = `find the stored parts of "${source}"`;
    const chunkIds = await findIds(this.client, this.spec.name, filters, CHUNK_ORDER, operation);
    const recordIds = await findIds(
      this.client,
      this.documentsIndex,
      filters,
      RECORD_ORDER,
      operation,
    );
    // Chunks first: a record without chunks is re-ingested; chunks without a record would linger.
    const deleted = await deleteIds(this.client, this.spec.name, chunkIds);
    await deleteIds(this.client, this.documentsIndex, recordIds);
    await this.refreshIndexes();
    return deleted;
  }

  async listDocuments(options: {
    limit: number;
    cursor?: string;
    readers?: readonly string[];
  }): Promise<{
    documents: DocumentInfo[];
    cursor?: string;
  }> {
    const limit = checkLimit(options.limit, 'limit');
    const after =
      options.cursor === undefined
        ? undefined
        : decodeListCursor(this.documentsIndex, options.cursor);
    await this.ensureIndexes();
    // Twice the page plus one: a source may briefly have two records (see replaceDocument).
    const size = Math.min(limit * 2 + 1, MAX_RESULTS);
    const hits = await searchHits<DocumentSource>(
      this.client,
      this.documentsIndex,
      'list the documents',
      {
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
      },
    );
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
      ? { documents, cursor: encodeListCursor(this.documentsIndex, last.source) }
      : { documents };
  }

  async search(query: SearchQuery): Promise<SearchHit[]> {
    const limit = checkLimit(query.limit, 'limit');
    const filters = filterClauses(query.filter);
    if (query.mode !== 'keyword' && !query.vector) {
      throw new ValidationError(
        `vector: required for ${query.mode} search; embed the query text first`,
      );
    }
    if (query.vector && query.vector.length !== this.spec.dimensions) {
      throw new ValidationError(
        `vector: has ${query.vector.length} dimensions, but the index holds ${this.spec.dimensions}-dimension vectors`,
      );
    }
    await this.ensureIndexes();
    const hits = await searchChunks(this.client, {
      index: this.spec.name,
      mode: query.mode,
      text: query.text,
      ...(query.vector && { vector: query.vector }),
      limit,
      filters,
    });
    const threshold = query.threshold ?? 0;
    return hits.filter((hit) => hit.score >= threshold).slice(0, limit);
  }

  async close(): Promise<void> {
    await this.client.close();
  }

  /** The newest record of `source`, if `readers` (when given) may read it. */
  private async latestRecord(
    source: string,
    readers: readonly string[] | undefined,
  ): Promise<RawHit<DocumentSource> | undefined> {
    await this.ensureIndexes();
    const [record] = await searchHits<DocumentSource>(
      this.client,
      this.documentsIndex,
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

  private ensureIndexes(): Promise<void> {
    this.ready ??= (async () => {
      try {
        await ensureIndex(this.client, this.spec.name, chunkIndexBody(this.spec), {
          create: this.createIndex,
          expect: this.spec,
        });
        await ensureIndex(this.client, this.documentsIndex, documentIndexBody(), {
          create: this.createIndex,
        });
      } catch (error) {
        this.ready = undefined;
        throw translateOpenSearchError(
          `prepare the indexes "${this.spec.name}" and "${this.documentsIndex}"`,
          error,
        );
      }
    })();
    return this.ready;
  }

  /** Sortable and, within this process, strictly increasing. */
  private nextGeneration(): string {
    this.lastGenerationMs = Math.max(Date.now(), this.lastGenerationMs + 1);
    return `${String(this.lastGenerationMs).padStart(15, '0')}-${randomBytes(4).toString('hex')}`;
  }

  /** Deletes the entries of `source` written by replacements older than `generation`. */
  private async deleteOlder(index: string, source: string, generation: string): Promise<void> {
    const filters = [{ term: { source } }, { range: { generation: { lt: generation } } }];
    const order = index === this.spec.name ? CHUNK_ORDER : RECORD_ORDER;
    const operation = `find the previous version of "${source}"`;
    await deleteIds(
      this.client,
      index,
      await findIds(this.client, index, filters, order, operation),
    );
  }

  private async refreshIndexes(): Promise<void> {
    if (!this.refresh) return;
    try {
      await this.client.indices.refresh({ index: [this.spec.name, this.documentsIndex] });
    } catch (error) {
      throw translateOpenSearchError('refresh the indexes', error);
    }
  }
}

function checkLimit(limit: number, field: string): number {
  if (!Number.isInteger(limit) || limit < 1 || limit > MAX_RESULTS) {
    throw new ValidationError(
      `${field}: must be a whole number from 1 to ${MAX_RESULTS}, not ${String(limit)}`,
    );
  }
  return limit;
}

function checkChunks(
  document: DocumentInfo,
  chunks: readonly StoredChunk[],
  dimensions: number,
): void {
  const ids = new Set<string>();
  chunks.forEach((chunk, index) => {
    if (chunk.source !== document.source) {
      throw new ValidationError(
        `chunks[${index}].source: is "${chunk.source}", but the document is "${document.source}"`,
      );
    }
    if (ids.has(chunk.id)) {
      throw new ValidationError(`chunks[${index}].id: "${chunk.id}" appears twice`);
    }
    ids.add(chunk.id);
    if (chunk.vector.length !== dimensions) {
      throw new ValidationError(
        `chunks[${index}].vector: has ${chunk.vector.length} dimensions, but the index holds ${dimensions}`,
      );
    }
  });
}
