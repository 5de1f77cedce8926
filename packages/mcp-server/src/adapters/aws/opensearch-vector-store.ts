import type { Client } from '@opensearch-project/opensearch';
import { ValidationError } from '../../errors.js';
import type { Embedder } from '../../ports/embedder.js';
import type {
  Chunk,
  DocumentInfo,
  SearchHit,
  SearchQuery,
  StoredChunk,
  VectorStore,
} from '../../ports/vector-store.js';
import {
  checkLimit,
  latestRecord,
  listCursorAfter,
  listDocumentPage,
  readChunks,
  type StoreIndexes,
} from './opensearch-document-reads.js';
import {
  checkChunks,
  deleteSource,
  Generations,
  writeGeneration,
} from './opensearch-document-writes.js';
import { translateOpenSearchError } from './opensearch-errors.js';
import {
  chunkIndexBody,
  documentIndexBody,
  ensureIndex,
  type ChunkIndexSpec,
  type KnnEngine,
} from './opensearch-index.js';
import { filterClauses, fromDocumentSource } from './opensearch-queries.js';
import { searchChunks } from './opensearch-search.js';

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
  private readonly indexes: StoreIndexes;
  private readonly createIndex: boolean;
  private readonly refresh: boolean;
  private readonly bulkSize: number;
  private readonly generations = new Generations();
  private ready: Promise<void> | undefined;

  constructor(options: OpenSearchVectorStoreOptions) {
    this.client = options.client;
    const name = options.index ?? 'chatbot-chunks';
    this.spec = {
      name,
      dimensions: options.embedder.dimensions,
      embedderId: options.embedder.id,
      engine: options.engine ?? 'faiss',
    };
    this.indexes = { chunks: name, documents: options.documentsIndex ?? `${name}-documents` };
    this.createIndex = options.createIndex ?? true;
    this.refresh = options.refresh ?? true;
    this.bulkSize = Math.max(1, options.bulkSize ?? 100);
  }

  async replaceDocument(document: DocumentInfo, chunks: readonly StoredChunk[]): Promise<void> {
    checkChunks(document, chunks, this.spec.dimensions);
    await this.ensureIndexes();
    const generation = this.generations.next();
    await writeGeneration(this.client, this.indexes, document, chunks, generation, this.bulkSize);
    await this.refreshIndexes();
  }

  async getDocument(
    source: string,
    readers?: readonly string[],
  ): Promise<DocumentInfo | undefined> {
    await this.ensureIndexes();
    const found = (await latestRecord(this.client, this.indexes.documents, source, readers))
      ?._source;
    return found ? fromDocumentSource(found) : undefined;
  }

  async getChunks(source: string, readers?: readonly string[]): Promise<Chunk[]> {
    await this.ensureIndexes();
    return readChunks(this.client, this.indexes, source, readers);
  }

  async deleteDocument(source: string): Promise<number> {
    await this.ensureIndexes();
    const deleted = await deleteSource(this.client, this.indexes, source);
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
    const after = listCursorAfter(this.indexes.documents, options.cursor);
    await this.ensureIndexes();
    return listDocumentPage(this.client, this.indexes.documents, {
      limit,
      after,
      ...(options.readers && { readers: options.readers }),
    });
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

  private ensureIndexes(): Promise<void> {
    this.ready ??= (async () => {
      try {
        await ensureIndex(this.client, this.spec.name, chunkIndexBody(this.spec), {
          create: this.createIndex,
          expect: this.spec,
        });
        await ensureIndex(this.client, this.indexes.documents, documentIndexBody(), {
          create: this.createIndex,
        });
      } catch (error) {
        this.ready = undefined;
        throw translateOpenSearchError(
          `prepare the indexes "${this.spec.name}" and "${this.indexes.documents}"`,
          error,
        );
      }
    })();
    return this.ready;
  }

  private async refreshIndexes(): Promise<void> {
    if (!this.refresh) return;
    try {
      await this.client.indices.refresh({ index: [this.spec.name, this.indexes.documents] });
    } catch (error) {
      throw translateOpenSearchError('refresh the indexes', error);
    }
  }
}
