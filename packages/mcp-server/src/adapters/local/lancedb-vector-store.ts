import { join } from 'node:path';
import { connect, type Connection, type Table } from '@lancedb/lancedb';
import { fuseByReciprocalRank, hybridCandidateCount } from '../../documents/score-scale.js';
import { AppError, UpstreamError } from '../../errors.js';
import { errorFields, silentLogger, type Logger } from '../../logger.js';
import type {
  DocumentInfo,
  DocumentReplacement,
  SearchHit,
  SearchQuery,
  StoredChunk,
  VectorStore,
} from '../../ports/vector-store.js';
import { DataDirLock } from './data-dir-lock.js';
import { decodeCursor, encodeCursor } from './document-cursor.js';
import { fusionFor, type HybridFusion } from './hybrid-fusion.js';
import { checkIndexManifest } from './lancedb-manifest.js';
import {
  createVectorIndex,
  ensureTextIndexes,
  hasVectorIndex,
  textIndexesEmpty,
} from './lancedb-indexes.js';
import {
  chunksSchema,
  documentsSchema,
  fromDocumentRow,
  toChunkRow,
  toDocumentRow,
} from './lancedb-rows.js';
import { keywordSearch, trigramSearch, vectorSearch } from './lancedb-search.js';
import { filterSql, sqlIn, sqlString } from './sql-filter.js';
import { WriteQueue } from './write-queue.js';

export interface LanceDbVectorStoreOptions {
  /** The server's data folder; the index lives in `<dataDir>/documents`. */
  dataDir: string;
  /** The embedder whose vectors this index holds; a different one is refused at open. */
  embedder: { id: string; dimensions: number };
  /** Below this many chunks, vector search is exact brute force (fast enough, and exact). */
  vectorIndexMinRows?: number;
  /** Fold new rows into the indexes and compact files after this many writes... */
  optimizeEveryWrites?: number;
  /** ...or after this many chunks written, whichever comes first. */
  optimizeEveryRows?: number;
  /** Hybrid search uses the trigram ranking up to this many chunks (TRIGRAM_MAX_ROWS). */
  trigramMaxRows?: number;
  /** How hybrid search fuses its rankings; by default, what suits the embedder (fusionFor). */
  fusion?: Partial<HybridFusion>;
  logger?: Logger;
}

const CHUNKS = 'chunks';
const DOCUMENTS = 'documents';
/** Sources per `IN (...)` list, keeping SQL texts at a sane size. */
const IN_BATCH = 500;

/**
 * Above this many chunks hybrid search leaves out the trigram ranking: its posting lists grow
 * with the corpus (about 37 ms a query at 10,000 chunks, 450 ms at 100,000 on 2 cores; see
 * `pnpm bench`), while the word and vector rankings stay fast. SciFact (5,746 chunks), where the
 * fusion was tuned, keeps it.
 */
export const TRIGRAM_MAX_ROWS = 8_000;

/**
 * The embedded VectorStore: LanceDB tables in a local folder. `chunks` holds text, metadata
 * and vectors, with two BM25 full-text indexes (stemmed words; character trigrams) and, once
 * the table is big enough to train one, an IVF-PQ vector index; `documents` holds one row per
 * source. Hybrid search is weighted reciprocal rank fusion of the vector, word and trigram
 * rankings. Writes are serialized in-process; the data folder belongs to one server at a time.
 */
export class LanceDbVectorStore implements VectorStore {
  private readonly writes = new WriteQueue();
  private writesSinceOptimize = 0;
  private rowsSinceOptimize = 0;
  private hasVectorIndex: boolean;
  /** Chunks in the table: exact after open and each optimize, an upper bound in between. */
  private chunkRows: number;

  private constructor(
    private readonly lock: DataDirLock,
    private readonly db: Connection,
    private readonly chunks: Table,
    private readonly documents: Table,
    private readonly options: Required<Omit<LanceDbVectorStoreOptions, 'dataDir' | 'fusion'>> & {
      fusion: HybridFusion;
    },
    vectorIndexed: boolean,
    chunkRows: number,
  ) {
    this.hasVectorIndex = vectorIndexed;
    this.chunkRows = chunkRows;
  }

  /** Opens the index in `<dataDir>/documents`, creating it on first use. */
  static async open(options: LanceDbVectorStoreOptions): Promise<LanceDbVectorStore> {
    const dir = join(options.dataDir, 'documents');
    // Writes are serialized in this process only; a second server on the folder must be refused.
    const lock = DataDirLock.acquire(options.dataDir, 'documents');
    let db: Connection | undefined;
    try {
      await checkIndexManifest(dir, options.embedder);
      db = await connect(dir);
      const names = new Set(await db.tableNames());
      const chunks = names.has(CHUNKS)
        ? await db.openTable(CHUNKS)
        : await db.createEmptyTable(CHUNKS, chunksSchema(options.embedder.dimensions), {
            existOk: true,
          });
      const documents = names.has(DOCUMENTS)
        ? await db.openTable(DOCUMENTS)
        : await db.createEmptyTable(DOCUMENTS, documentsSchema, { existOk: true });
      await ensureTextIndexes(chunks);
      return new LanceDbVectorStore(
        lock,
        db,
        chunks,
        documents,
        {
          embedder: options.embedder,
          vectorIndexMinRows: options.vectorIndexMinRows ?? 20_000,
          optimizeEveryWrites: options.optimizeEveryWrites ?? 20,
          optimizeEveryRows: options.optimizeEveryRows ?? 10_000,
          trigramMaxRows: options.trigramMaxRows ?? TRIGRAM_MAX_ROWS,
          fusion: { ...fusionFor(options.embedder.id), ...options.fusion },
          logger: options.logger ?? silentLogger,
        },
        await hasVectorIndex(chunks),
        await chunks.countRows(),
      );
    } catch (error) {
      db?.close();
      lock.release();
      if (error instanceof AppError) throw error;
      throw new UpstreamError(`could not open the document index in ${dir}`, { cause: error });
    }
  }

  replaceDocument(document: DocumentInfo, chunks: readonly StoredChunk[]): Promise<void> {
    return this.replaceDocuments([{ document, chunks }]);
  }

  /**
   * One commit per table for the whole batch: the chunks of every document are upserted by id
   * and its leftover chunks deleted in the same merge, so a reader sees either the old or the
   * new version of a document, never both or neither. The document rows follow; if that write
   * fails, their old content hash makes the next ingest redo the document.
   */
  replaceDocuments(entries: readonly DocumentReplacement[]): Promise<void> {
    if (entries.length === 0) return Promise.resolve();
    return this.writes.run(async () => {
      const sources = entries.map((e) => e.document.source);
      const rows = entries.flatMap((e) => e.chunks.map(toChunkRow));
      const docRows = entries.map((e) => toDocumentRow(e.document));
      await this.upstream('writing chunks', async () => {
        if ((await this.countChunks(sources)) === 0) {
          if (rows.length > 0) await this.chunks.add(rows);
        } else {
          await this.chunks
            .mergeInsert('id')
            .whenMatchedUpdateAll()
            .whenNotMatchedInsertAll()
            .whenNotMatchedBySourceDelete({ where: sqlIn('source', sources) })
            .execute(rows);
        }
      });
      await this.upstream('writing documents', async () => {
        if ((await this.documents.countRows(sqlIn('source', sources))) === 0) {
          await this.documents.add(docRows);
        } else {
          await this.documents
            .mergeInsert('source')
            .whenMatchedUpdateAll()
            .whenNotMatchedInsertAll()
            .execute(docRows);
        }
      });
      await this.maintain(rows.length);
    });
  }

  async getDocument(source: string): Promise<DocumentInfo | undefined> {
    return (await this.getDocuments([source]))[0];
  }

  /** The stored documents among `sources`, in no particular order. */
  async getDocuments(sources: readonly string[]): Promise<DocumentInfo[]> {
    const found: DocumentInfo[] = [];
    for (let i = 0; i < sources.length; i += IN_BATCH) {
      const batch = sources.slice(i, i + IN_BATCH);
      const rows = await this.upstream('reading', () =>
        this.documents.query().where(sqlIn('source', batch)).toArray(),
      );
      found.push(...rows.map((row: Record<string, unknown>) => fromDocumentRow(row)));
    }
    return found;
  }

  deleteDocument(source: string): Promise<number> {
    return this.writes.run(async () => {
      const where = `source = ${sqlString(source)}`;
      const removed = await this.upstream('reading', () => this.chunks.countRows(where));
      if (removed > 0) await this.upstream('deleting', () => this.chunks.delete(where));
      await this.upstream('deleting', () => this.documents.delete(where));
      await this.maintain(removed);
      return removed;
    });
  }

  async listDocuments(options: { limit: number; cursor?: string }): Promise<{
    documents: DocumentInfo[];
    cursor?: string;
  }> {
    let query = this.documents.query();
    if (options.cursor !== undefined)
      query = query.where(`source > ${sqlString(decodeCursor(options.cursor))}`);
    const rows = await this.upstream('reading', () =>
      query
        .orderBy({ columnName: 'source', ascending: true })
        .limit(options.limit + 1)
        .toArray(),
    );
    const documents = rows
      .slice(0, options.limit)
      .map((row: Record<string, unknown>) => fromDocumentRow(row));
    const last = documents[documents.length - 1];
    return rows.length > options.limit && last
      ? { documents, cursor: encodeCursor(last.source) }
      : { documents };
  }

  async search(query: SearchQuery): Promise<SearchHit[]> {
    if (query.mode !== 'keyword' && !query.vector)
      throw new TypeError(`a ${query.mode} search needs query.vector`);
    const where = filterSql(query.filter);
    const hits = await this.upstream('searching', async () => {
      if (query.mode === 'vector') return this.byVector(query, query.limit, where);
      if (query.mode === 'keyword')
        return keywordSearch(this.chunks, query.text, query.limit, where);
      return this.hybrid(query, where);
    });
    const threshold = query.threshold;
    return threshold === undefined ? hits : hits.filter((hit) => hit.score >= threshold);
  }

  /**
   * Folds every row written since the last optimization into the indexes, compacts files and
   * builds the vector index if the table has grown enough. Searches are correct without it,
   * only slower; call it after a bulk ingest.
   */
  optimize(): Promise<void> {
    return this.writes.run(() => this.optimizeNow());
  }

  async close(): Promise<void> {
    await this.writes.idle();
    this.chunks.close();
    this.documents.close();
    this.db.close();
    this.lock.release();
  }

  private byVector(query: SearchQuery, limit: number, where?: string): Promise<SearchHit[]> {
    return vectorSearch(this.chunks, query.vector!, limit, {
      indexed: this.hasVectorIndex,
      ...(where && { where }),
    });
  }

  /** Each ranking fetches more candidates than `limit`, so an item ranked lower in one can still win. */
  private async hybrid(query: SearchQuery, where?: string): Promise<SearchHit[]> {
    const { k, vectorWeight, keywordWeight, trigramWeight, vectorWhenIndexed } =
      this.options.fusion;
    const vectors = vectorWeight > 0 && (vectorWhenIndexed || !this.hasVectorIndex);
    const depth = hybridCandidateCount(query.limit);
    const none = Promise.resolve([] as SearchHit[]);
    const trigrams = trigramWeight > 0 && this.chunkRows <= this.options.trigramMaxRows;
    const rankings = await Promise.all([
      vectors ? this.byVector(query, depth, where) : none,
      keywordWeight > 0 ? keywordSearch(this.chunks, query.text, depth, where) : none,
      trigrams ? trigramSearch(this.chunks, query.text, depth, where) : none,
    ]);
    return fuseByReciprocalRank(rankings, (hit) => hit.id, {
      k,
      weights: [vectorWeight, keywordWeight, trigramWeight],
    })
      .slice(0, query.limit)
      .map(({ item, score }) => ({ ...item, score }));
  }

  private async countChunks(sources: readonly string[]): Promise<number> {
    let total = 0;
    for (let i = 0; i < sources.length; i += IN_BATCH) {
      total += await this.chunks.countRows(sqlIn('source', sources.slice(i, i + IN_BATCH)));
    }
    return total;
  }

  /**
   * Keeps search fast as the index grows: LanceDB searches rows written since the last
   * `optimize` without their index (correct, but slower), and every write adds files.
   */
  private async maintain(rowsWritten: number): Promise<void> {
    this.chunkRows += rowsWritten;
    this.writesSinceOptimize += 1;
    this.rowsSinceOptimize += rowsWritten;
    const { optimizeEveryWrites, optimizeEveryRows } = this.options;
    const due =
      this.writesSinceOptimize >= optimizeEveryWrites ||
      this.rowsSinceOptimize >= optimizeEveryRows;
    if (due || (await textIndexesEmpty(this.chunks))) await this.optimizeNow();
  }

  private async optimizeNow(): Promise<void> {
    const { vectorIndexMinRows, embedder, logger } = this.options;
    this.writesSinceOptimize = 0;
    this.rowsSinceOptimize = 0;
    try {
      // Old versions go after an hour: long enough for any search still reading them.
      const cleanupOlderThan = new Date(Date.now() - 60 * 60 * 1000);
      await this.chunks.optimize({ cleanupOlderThan });
      await this.documents.optimize({ cleanupOlderThan });
      const rows = await this.chunks.countRows();
      this.chunkRows = rows;
      if (!this.hasVectorIndex && rows >= vectorIndexMinRows) {
        await createVectorIndex(this.chunks, rows, embedder.dimensions);
        this.hasVectorIndex = true;
        logger.info('document vector index built', { rows });
      }
    } catch (error) {
      // The data is written and searchable; an index that lags behind only costs speed.
      logger.warn('document index maintenance failed', { error: String(error) });
    }
  }

  private async upstream<T>(action: string, run: () => Promise<T>): Promise<T> {
    try {
      return await run();
    } catch (error) {
      this.options.logger.error(`document index failed while ${action}`, errorFields(error));
      throw new UpstreamError(`the document index failed while ${action}; see the server log`, {
        cause: error,
      });
    }
  }
}
