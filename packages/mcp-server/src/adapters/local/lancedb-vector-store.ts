import { join } from 'node:path';
import { connect, type Connection } from '@lancedb/lancedb';
import {
  fuseByReciprocalRank,
  hybridCandidateCount,
  keywordScore,
} from '../../documents/score-scale.js';
import { EVERYONE, mayRead } from '../../documents/document-access.js';
import { AppError, UpstreamError } from '../../errors.js';
import { errorFields, silentLogger, type Logger } from '../../logger.js';
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
import { LanceTables, type Change, type Flush } from './lancedb-tables.js';
import { checkWritableFolder, notWritableError } from './writable-folder.js';
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
/** Idle compaction (old versions and files reclaimed) at most this often. */
const IDLE_COMPACTION_INTERVAL_MS = 60_000;
/** Flushes between compactions at most: bounds the files and versions on disk. */
const MAX_FLUSHES_BETWEEN_COMPACTIONS = 16;
/** Flushes waiting to be written before a write waits for them (back-pressure). */
const MAX_QUEUED_FLUSHES = 4;

/**
 * The embedded VectorStore. Every live chunk is in memory (LiveChunks) with two BM25 rankings,
 * stemmed words and character trigrams, so keyword and hybrid search never touch the disk.
 * LanceDB (a `chunks` table with text, metadata and vectors, and a `documents` table) holds
 * the data and serves vector search, exact below `vectorIndexMinRows` and IVF-PQ above.
 *
 * A write is appended to a journal and applied in memory, then returns: it is durable and
 * searchable at once. Writes reach LanceDB in flushes of `flushRows` chunks (or when writes
 * pause), a few commits each, so one document per call costs about what a batch does.
 * Compaction and version cleanup run in the background on a separate queue, spaced so that
 * the rows they rewrite stay proportional to the rows written. The data folder belongs to one
 * server at a time.
 */
export class LanceDbVectorStore implements VectorStore {
  private readonly writes = new WriteQueue();
  private readonly maintenance = new WriteQueue();
  private readonly live: LiveChunks;
  private readonly docs = new Map<string, DocumentInfo>();
  private sortedSources: string[] | undefined;
  private pending = new Map<string, Change>();
  private pendingRows = 0;
  /** Flushes handed to the maintenance queue and not yet fully written. */
  private readonly flushing: Flush[] = [];
  private flushTimer: NodeJS.Timeout | undefined;
  private compactTimer: NodeJS.Timeout | undefined;
  /** Chunk rows written or deleted in LanceDB, and flushes, since the last compaction. */
  private sinceCompaction = { rows: 0, flushes: 0 };
  private lastCompaction = Date.now();
  private lastWrite = 0;
  private closed = false;
  /** The folder turned out not writable: writes are refused until it is again (checked each time). */
  private notWritable: AppError | undefined;

  private constructor(
    private readonly dir: string,
    private readonly lock: DataDirLock,
    private readonly tables: LanceTables,
    private readonly journal: Journal,
    private readonly options: Options,
  ) {
    this.live = new LiveChunks(options.trigramMaxRows, options.bm25);
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
      await this.checkStillWritable();
      await this.upstream('writing the journal', () => this.journal.append(entry));
      this.apply(entry);
      const rows = entries.reduce((sum, e) => sum + e.chunks.length, 0);
      await this.afterWrite(rows >= this.options.flushRows);
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
      await this.checkStillWritable();
      await this.upstream('writing the journal', () => this.journal.append(entry));
      this.apply(entry);
      await this.afterWrite(false);
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
    const hits = await this.upstream('searching', async () => {
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
  async optimize(): Promise<void> {
    await this.flushNow();
    await this.maintenance.run(() => this.compact());
  }

  async close(): Promise<void> {
    if (this.closed) return;
    await this.writes.idle();
    clearTimeout(this.flushTimer);
    clearTimeout(this.compactTimer);
    try {
      await this.flushNow();
      if (this.sinceCompaction.flushes > 0) await this.maintenance.run(() => this.compact());
    } catch (error) {
      // A read-only or full folder: the journal still holds every acknowledged write, and the
      // next start replays it. Closing goes on, so the other stores close cleanly too.
      this.options.logger.warn('document index not flushed at close; the next start replays it', {
        error: String(error),
      });
    } finally {
      this.closed = true;
      await this.maintenance.idle();
      await this.journal.close();
      this.tables.close();
      this.lock.release();
    }
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
    if (replay.length > 0) await this.flushNow();
  }

  private apply(entry: JournalEntry): void {
    if (entry.op === 'delete') {
      this.pendingRows += this.live.remove(entry.source) + 1;
      if (this.docs.delete(entry.source)) this.sortedSources = undefined;
      this.pending.set(entry.source, { document: undefined, chunks: [] });
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
      this.pending.set(document.source, { document, chunks: records });
      this.pendingRows += records.length;
    }
  }

  /** Inside a write: flush when enough is pending, else once writes pause. */
  private async afterWrite(waitForFlush: boolean): Promise<void> {
    this.lastWrite = Date.now();
    clearTimeout(this.flushTimer);
    if (waitForFlush || this.pendingRows >= this.options.flushRows) {
      const { written } = await this.startFlush();
      // A batch caller waits for its data to reach LanceDB; so does a writer that outruns it.
      if (waitForFlush || this.flushing.length > MAX_QUEUED_FLUSHES) await written;
      else written.catch(() => undefined); // logged by flush()
      return;
    }
    this.flushTimer = setTimeout(() => {
      if (this.closed) return;
      void this.writes
        .run(() => this.startFlush())
        .then(
          ({ written }) => written.catch(() => undefined),
          () => undefined,
        );
    }, this.options.flushIdleMs);
    this.flushTimer.unref();
  }

  /**
   * From inside the write queue: takes the pending writes and a journal segment of their own,
   * and queues their flush, which `written` follows.
   */
  private async startFlush(): Promise<{ written: Promise<void> }> {
    if (this.pending.size === 0) return { written: Promise.resolve() };
    const segment = await this.upstream('sealing the journal', () => this.journal.seal());
    const flush: Flush = { changes: this.pending, segment, step: 0 };
    this.pending = new Map();
    this.pendingRows = 0;
    this.flushing.push(flush);
    return { written: this.maintenance.run(() => this.flush(flush)) };
  }

  private async flushNow(): Promise<void> {
    const { written } = await this.writes.run(() => this.startFlush());
    await written;
    await this.maintenance.idle();
  }

  /** Writes one flush to LanceDB (retrying), releases its journal, and compacts when due. */
  private async flush(flush: Flush): Promise<void> {
    const { logger } = this.options;
    for (let attempt = 1; ; attempt++) {
      try {
        this.sinceCompaction.rows += await this.tables.write(flush);
        break;
      } catch (error) {
        logger.warn('document index flush failed', { attempt, error: String(error) });
        // The journal keeps the writes, and the next start replays them.
        if (attempt === 3) {
          this.notWritable = notWritableError(this.dir, error);
          throw (
            this.notWritable ??
            new UpstreamError('the document index could not be written', { cause: error })
          );
        }
        await new Promise((resolve) => setTimeout(resolve, 200 * 4 ** attempt));
      }
    }
    for (const change of flush.changes.values())
      for (const chunk of change.chunks) delete chunk.vector;
    this.flushing.splice(this.flushing.indexOf(flush), 1);
    this.sinceCompaction.rows += [...flush.changes.values()].reduce(
      (sum, c) => sum + c.chunks.length,
      0,
    );
    this.sinceCompaction.flushes += 1;
    // Segments up to the oldest flush still unwritten must stay.
    const oldest = this.flushing[0];
    await this.journal.release(oldest ? oldest.segment - 1 : flush.segment);
    if (this.compactDue()) await this.compact();
    else this.scheduleIdleCompaction();
  }

  /**
   * Compaction rewrites the whole table, so it runs once the rows changed since the last one
   * reach half the table (each row is then rewritten a bounded number of times, whatever the
   * table's size), or after MAX_FLUSHES_BETWEEN_COMPACTIONS flushes (bounding files and
   * versions), or to build the vector index.
   */
  private compactDue(): boolean {
    const { rows, flushes } = this.sinceCompaction;
    return (
      rows >= Math.max(this.options.flushRows, this.tables.rows / 2) ||
      flushes >= MAX_FLUSHES_BETWEEN_COMPACTIONS ||
      (!this.tables.vectorIndexed && this.tables.rows >= this.options.vectorIndexMinRows)
    );
  }

  /** Once writes pause, what is left is compacted and old versions go, at most once a minute. */
  private scheduleIdleCompaction(): void {
    clearTimeout(this.compactTimer);
    const wait = Math.max(
      this.options.flushIdleMs * 2,
      this.lastCompaction + IDLE_COMPACTION_INTERVAL_MS - Date.now(),
    );
    this.compactTimer = setTimeout(() => {
      if (this.closed) return;
      const idle = Date.now() - this.lastWrite >= this.options.flushIdleMs;
      if (!idle || this.pending.size > 0 || this.flushing.length > 0) {
        this.scheduleIdleCompaction();
        return;
      }
      void this.maintenance
        .run(() => (this.sinceCompaction.flushes > 0 ? this.compact() : Promise.resolve()))
        .catch(() => undefined);
    }, wait);
    this.compactTimer.unref();
  }

  private async compact(): Promise<void> {
    const { logger, vectorIndexMinRows, embedder } = this.options;
    try {
      const started = performance.now();
      const built = await this.tables.compact(vectorIndexMinRows, embedder.dimensions);
      this.sinceCompaction = { rows: 0, flushes: 0 };
      this.lastCompaction = Date.now();
      logger.info('document index compacted', {
        rows: this.tables.rows,
        ms: Math.round(performance.now() - started),
        ...(built && { vectorIndexBuilt: true }),
      });
    } catch (error) {
      // The data is written and searchable; uncompacted files only cost disk and speed.
      logger.warn('document index maintenance failed', { error: String(error) });
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
    for (const source of this.pending.keys()) visit(source);
    for (const flush of this.flushing) for (const source of flush.changes.keys()) visit(source);
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

  /**
   * After a write found the folder read-only, a later one is refused at once while it still is:
   * the journal's open file would take it, but nothing could be flushed or reopened.
   */
  private async checkStillWritable(): Promise<void> {
    if (!this.notWritable) return;
    await checkWritableFolder(this.dir);
    this.notWritable = undefined;
  }

  private async upstream<T>(action: string, run: () => Promise<T>): Promise<T> {
    try {
      return await run();
    } catch (error) {
      this.options.logger.error(`document index failed while ${action}`, errorFields(error));
      const readOnly = notWritableError(this.dir, error);
      if (readOnly) this.notWritable = readOnly;
      throw (
        readOnly ??
        new UpstreamError(`the document index failed while ${action}; see the server log`, {
          cause: error,
        })
      );
    }
  }
}
