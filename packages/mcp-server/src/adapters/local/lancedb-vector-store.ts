import { join } from 'node:path';
import { connect, type Connection } from '@lancedb/lancedb';
import {
  fuseByReciprocalRank,
  hybridCandidateCount,
  keywordScore,
} from '../../documents/score-scale.js';
import { EVERYONE, mayRead } from '../../documents/document-access.js';
import { AppError, UpstreamError } from '../../errors.js';
import { silentLogger, type Logger } from '../../logger.js';
import type {
  Chunk,
  DocumentInfo,
  DocumentReplacement,
  SearchFilter,
  SearchHit,
  SearchQuery,
  StoredChunk,
  VectorStore,
} from '../../ports/vector-store.js';
import { DataDirLock } from './data-dir-lock.js';
import { decodeCursor, encodeCursor } from './document-cursor.js';
import { fusionFor, type HybridFusion } from './hybrid-fusion.js';
import { LEXICAL_BM25, type LexicalBm25 } from './lancedb-bm25.js';
import { Journal, type JournalEntry } from './lancedb-journal.js';
import { liveChunk, liveHit, LiveChunks, type LiveChunk } from './lancedb-live-chunks.js';
import { checkIndexManifest } from './lancedb-manifest.js';
import { vectorSearch, type VectorOverlay } from './lancedb-search.js';
import { LanceTables } from './lancedb-tables.js';
import { LanceWriteBehind } from './lancedb-write-behind.js';
import { checkWritableFolder, FolderGuard, notWritableError } from './writable-folder.js';
import { WriteQueue } from './write-queue.js';

export interface LanceDbVectorStoreOptions {
  /** The server's data folder; the index lives in `<dataDir>/documents`. */
  dataDir: string;
  /** The embedder whose vectors this index holds; a different one is refused at open. */
  embedder: { id: string; dimensions: number };
  /** Below this many chunks, vector search is exact brute force (fast enough, and exact). */
  vectorIndexMinRows?: number;
  /** Written chunks (and deletions) held in memory and the journal before a flush to LanceDB... */
  flushRows?: number;
  /** ...or this long after the last write, whichever comes first. */
  flushIdleMs?: number;
  /** Hybrid search uses the trigram ranking up to this many chunks (TRIGRAM_MAX_ROWS). */
  trigramMaxRows?: number;
  /** How hybrid search fuses its rankings; by default, what suits the embedder (fusionFor). */
  fusion?: Partial<HybridFusion>;
  /** BM25 constants of the word and trigram rankings (LEXICAL_BM25); for evaluation. */
  bm25?: Partial<LexicalBm25>;
  logger?: Logger;
}

type Options = Required<Omit<LanceDbVectorStoreOptions, 'dataDir' | 'fusion' | 'bm25'>> & {
  fusion: HybridFusion;
  bm25: LexicalBm25;
};

/**
 * Above this many chunks hybrid search leaves out the trigram ranking: its postings are about
 * ten times the word postings (memory), and its queries grow with the corpus. SciFact (5,746
 * chunks), where the fusion was tuned, keeps it.
 */
export const TRIGRAM_MAX_ROWS = 8_000;

/**
 * The embedded VectorStore. Every live chunk is in memory (LiveChunks) with two BM25 rankings,
 * stemmed words and character trigrams, so keyword and hybrid search never touch the disk.
 * LanceDB (a `chunks` table with text, metadata and vectors, and a `documents` table) holds
 * the data and serves vector search, exact below `vectorIndexMinRows` and IVF-PQ above.
 *
 * A write is appended to a journal and applied in memory, then returns: it is durable and
 * searchable at once. Writes reach LanceDB in flushes of `flushRows` chunks (or when writes
 * pause), a few commits each, so one document per call costs about what a batch does; that
 * path, with compaction in the background, is LanceWriteBehind's. The data folder belongs to
 * one server at a time.
 */
export class LanceDbVectorStore implements VectorStore {
  private readonly writes = new WriteQueue();
  private readonly live: LiveChunks;
  private readonly docs = new Map<string, DocumentInfo>();
  private sortedSources: string[] | undefined;
  private readonly guard: FolderGuard;
  private readonly writeBehind: LanceWriteBehind;
  private closed = false;

  private constructor(
    dir: string,
    private readonly lock: DataDirLock,
    private readonly tables: LanceTables,
    private readonly journal: Journal,
    private readonly options: Options,
  ) {
    this.live = new LiveChunks(options.trigramMaxRows, options.bm25);
    this.guard = new FolderGuard(dir, options.logger);
    this.writeBehind = new LanceWriteBehind({
      guard: this.guard,
      tables,
      journal,
      writes: this.writes,
      flushRows: options.flushRows,
      flushIdleMs: options.flushIdleMs,
      vectorIndexMinRows: options.vectorIndexMinRows,
      dimensions: options.embedder.dimensions,
      logger: options.logger,
    });
  }

  /** Opens the index in `<dataDir>/documents`, creating it on first use. */
  static async open(options: LanceDbVectorStoreOptions): Promise<LanceDbVectorStore> {
    const dir = join(options.dataDir, 'documents');
    // Writes are serialized in this process only; a second server on the folder must be refused.
    const lock = DataDirLock.acquire(options.dataDir, 'documents');
    let db: Connection | undefined;
    let journal: Journal | undefined;
    try {
      await checkWritableFolder(dir);
      await checkIndexManifest(dir, options.embedder);
      db = await connect(dir);
      const tables = await LanceTables.open(db, options.embedder.dimensions);
      const opened = await Journal.open(join(dir, 'journal'));
      journal = opened.journal;
      const store = new LanceDbVectorStore(dir, lock, tables, journal, {
        embedder: options.embedder,
        vectorIndexMinRows: options.vectorIndexMinRows ?? 20_000,
        flushRows: options.flushRows ?? 2_000,
        flushIdleMs: options.flushIdleMs ?? 1_000,
        trigramMaxRows: options.trigramMaxRows ?? TRIGRAM_MAX_ROWS,
        fusion: { ...fusionFor(options.embedder.id), ...options.fusion },
        bm25: { ...LEXICAL_BM25, ...options.bm25 },
        logger: options.logger ?? silentLogger,
      });
      await store.load(opened.replay);
      return store;
    } catch (error) {
      await journal?.close().catch(() => undefined);
      db?.close();
      lock.release();
      if (error instanceof AppError) throw error;
      throw (
        notWritableError(dir, error) ??
        new UpstreamError(`could not open the document index in ${dir}`, { cause: error })
      );
    }
  }

  replaceDocument(document: DocumentInfo, chunks: readonly StoredChunk[]): Promise<void> {
    return this.replaceDocuments([{ document, chunks }]);
  }

  /**
   * Each document is replaced whole in memory before the call returns (a search sees the old
   * version or the new one, never both); LanceDB gets it with the next flush. A batch of at
   * least `flushRows` chunks is flushed before the call returns.
   */
  replaceDocuments(entries: readonly DocumentReplacement[]): Promise<void> {
    if (entries.length === 0) return Promise.resolve();
    return this.writes.run(async () => {
      const entry: JournalEntry = { op: 'replace', entries };
      await this.guard.checkStillWritable();
      await this.guard.run('writing the journal', () => this.journal.append(entry));
      this.apply(entry);
      const rows = entries.reduce((sum, e) => sum + e.chunks.length, 0);
      await this.writeBehind.afterWrite(rows >= this.options.flushRows);
    });
  }

  getDocument(source: string, readers?: readonly string[]): Promise<DocumentInfo | undefined> {
    const document = this.docs.get(source);
    return Promise.resolve(document && mayRead(document.access, readers) ? document : undefined);
  }

  /** The stored documents among `sources`, in no particular order. */
  getDocuments(sources: readonly string[]): Promise<DocumentInfo[]> {
    return Promise.resolve(
      sources.flatMap((source) => {
        const document = this.docs.get(source);
        return document ? [document] : [];
      }),
    );
  }

  getChunks(source: string, readers?: readonly string[]): Promise<Chunk[]> {
    const chunks = this.live
      .chunksOf(source)
      .filter((chunk) => mayRead(chunk.access, readers))
      .sort((a, b) => a.position - b.position);
    return Promise.resolve(chunks.map((chunk) => liveChunk(chunk)));
  }

  deleteDocument(source: string): Promise<number> {
    return this.writes.run(async () => {
      const removed = this.live.chunksOf(source).length;
      if (removed === 0 && !this.docs.has(source)) return 0;
      const entry: JournalEntry = { op: 'delete', source };
      await this.guard.checkStillWritable();
      await this.guard.run('writing the journal', () => this.journal.append(entry));
      this.apply(entry);
      await this.writeBehind.afterWrite(false);
      return removed;
    });
  }

  /** A page of `limit` documents `readers` may read, found walking the sorted sources. */
  listDocuments(options: { limit: number; cursor?: string; readers?: readonly string[] }): Promise<{
    documents: DocumentInfo[];
    cursor?: string;
  }> {
    const sorted = (this.sortedSources ??= [...this.docs.keys()].sort());
    let start = 0;
    if (options.cursor !== undefined) {
      const after = decodeCursor(options.cursor);
      let hi = sorted.length;
      while (start < hi) {
        const mid = (start + hi) >>> 1;
        if (sorted[mid]! <= after) start = mid + 1;
        else hi = mid;
      }
    }
    const documents: DocumentInfo[] = [];
    let more = false;
    for (let i = start; i < sorted.length; i++) {
      const document = this.docs.get(sorted[i]!)!;
      if (!mayRead(document.access, options.readers)) continue;
      if (documents.length === options.limit) {
        more = true;
        break;
      }
      documents.push(document);
    }
    const last = documents.at(-1);
    return Promise.resolve(
      more && last !== undefined ? { documents, cursor: encodeCursor(last.source) } : { documents },
    );
  }

  async search(query: SearchQuery): Promise<SearchHit[]> {
    if (query.mode !== 'keyword' && !query.vector)
      throw new TypeError(`a ${query.mode} search needs query.vector`);
    const hits = await this.guard.run('searching', async () => {
      if (query.mode === 'vector') return this.byVector(query.vector!, query.limit, query.filter);
      if (query.mode === 'keyword')
        return this.live
          .keyword(query.text, query.limit, query.filter)
          .map((r) => liveHit(r.chunk, keywordScore(r.score)));
      return this.hybrid(query);
    });
    const threshold = query.threshold;
    return (threshold === undefined ? hits : hits.filter((hit) => hit.score >= threshold)).map(
      (hit) => {
        // Every chunk of a document carries the same lead; a hit read from LanceDB has none.
        const lead = this.live.chunksOf(hit.source)[0]?.lead;
        return lead === undefined ? hit : { ...hit, lead };
      },
    );
  }

  /**
   * Writes everything pending to LanceDB, compacts it, folds new rows into the vector index
   * (building it if the table is big enough) and removes old versions. Searches are correct
   * without it; the store runs it on its own when due, and at close.
   */
  optimize(): Promise<void> {
    return this.writeBehind.optimize();
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.writes.idle();
    // Never throws: what could not be flushed stays in the journal for the next start, and
    // closing goes on, so the other stores close cleanly too.
    await this.writeBehind.close();
    await this.journal.close();
    this.tables.close();
    this.lock.release();
  }

  /** In memory: every stored chunk and document, then the journal's entries on top. */
  private async load(replay: readonly JournalEntry[]): Promise<void> {
    const { chunks, documents } = await this.tables.load();
    const bySource = new Map<string, Chunk[]>();
    for (const chunk of chunks) {
      const list = bySource.get(chunk.source);
      if (list) list.push(chunk);
      else bySource.set(chunk.source, [chunk]);
    }
    for (const [source, list] of bySource) {
      list.sort((a, b) => a.position - b.position);
      this.live.replace(source, list, false);
    }
    for (const document of documents) this.docs.set(document.source, document);
    for (const entry of replay) this.apply(entry);
    // Written now, so the journal starts empty; this also releases the segments read back.
    if (replay.length > 0) await this.writeBehind.flushNow();
  }

  private apply(entry: JournalEntry): void {
    if (entry.op === 'delete') {
      const removed = this.live.remove(entry.source);
      if (this.docs.delete(entry.source)) this.sortedSources = undefined;
      this.writeBehind.record(entry.source, { document: undefined, chunks: [] }, removed + 1);
      return;
    }
    for (const { document, chunks } of entry.entries) {
      const access = document.access ?? [EVERYONE];
      const records = this.live.replace(
        document.source,
        chunks.map((chunk) => ({ ...chunk, access })),
        true,
      );
      if (!this.docs.has(document.source)) this.sortedSources = undefined;
      this.docs.set(document.source, document);
      this.writeBehind.record(document.source, { document, chunks: records }, records.length);
    }
  }

  private byVector(
    vector: Float32Array,
    limit: number,
    filter: SearchFilter | undefined,
  ): Promise<SearchHit[]> {
    const overlay = this.overlay();
    return this.tables.read(() =>
      vectorSearch(this.tables.chunks, vector, limit, {
        indexed: this.tables.vectorIndexed,
        overlay,
        ...(filter && { filter }),
      }),
    );
  }

  /** The sources LanceDB does not have in their current state yet, and their current chunks. */
  private overlay(): VectorOverlay {
    const staleSources = new Set<string>();
    let staleRows = 0;
    const chunks: (LiveChunk & { vector: Float32Array })[] = [];
    const visit = (source: string): void => {
      if (staleSources.has(source)) return;
      staleSources.add(source);
      staleRows += this.tables.storedRows.get(source) ?? 0;
      for (const chunk of this.live.chunksOf(source))
        if (chunk.vector) chunks.push(chunk as LiveChunk & { vector: Float32Array });
    };
    for (const source of this.writeBehind.unwrittenSources()) visit(source);
    return { staleSources, staleRows, chunks };
  }

  /** Each ranking fetches more candidates than `limit`, so an item ranked lower in one can still win. */
  private async hybrid(query: SearchQuery): Promise<SearchHit[]> {
    const { k, vectorWeight, keywordWeight, trigramWeight, vectorWhenIndexed } =
      this.options.fusion;
    const depth = hybridCandidateCount(query.limit);
    const vectors = vectorWeight > 0 && (vectorWhenIndexed || !this.tables.vectorIndexed);
    type Item = { id: string; hit: (score: number) => SearchHit };
    const fromLive = (ranked: { chunk: LiveChunk }[]): Item[] =>
      ranked.map(({ chunk }) => ({ id: chunk.id, hit: (score) => liveHit(chunk, score) }));
    const rankings: Item[][] = [
      vectors
        ? (await this.byVector(query.vector!, depth, query.filter)).map((h) => ({
            id: h.id,
            hit: (score) => ({ ...h, score }),
          }))
        : [],
      keywordWeight > 0 ? fromLive(this.live.keyword(query.text, depth, query.filter)) : [],
      trigramWeight > 0 ? fromLive(this.live.trigram(query.text, depth, query.filter)) : [],
    ];
    return fuseByReciprocalRank(rankings, (item) => item.id, {
      k,
      weights: [vectorWeight, keywordWeight, trigramWeight],
    })
      .slice(0, query.limit)
      .map(({ item, score }) => item.hit(score));
  }
}
