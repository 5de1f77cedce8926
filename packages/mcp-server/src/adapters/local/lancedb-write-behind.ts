import { UpstreamError } from '../../errors.js';
import type { Logger } from '../../logger.js';
import type { Journal } from './lancedb-journal.js';
import type { LiveChunk } from './lancedb-live-chunks.js';
import type { Change, Flush, LanceTables } from './lancedb-tables.js';
import type { FolderGuard } from './writable-folder.js';
import { WriteQueue } from './write-queue.js';

/** Idle compaction (old versions and files reclaimed) at most this often. */
const IDLE_COMPACTION_INTERVAL_MS = 60_000;
/** Flushes between compactions at most: bounds the files and versions on disk. */
const MAX_FLUSHES_BETWEEN_COMPACTIONS = 16;
/** Flushes waiting to be written before a write waits for them (back-pressure). */
const MAX_QUEUED_FLUSHES = 4;

export interface WriteBehindOptions {
  /** Shared with the store: a flush that finds the folder not writable marks it so. */
  guard: FolderGuard;
  tables: LanceTables;
  journal: Journal;
  /** The store's write queue: a flush is started between two writes. */
  writes: WriteQueue;
  flushRows: number;
  flushIdleMs: number;
  vectorIndexMinRows: number;
  dimensions: number;
  logger: Logger;
}

/**
 * The path from the journal to LanceDB. Writes are journaled and applied in memory by the store,
 * which hands each changed document here (`record`); they reach LanceDB in flushes of
 * `flushRows` chunks, or once writes pause, each flush with a journal segment of its own that is
 * released when it is written. Compaction and version cleanup run on a separate queue, spaced so
 * that the rows they rewrite stay proportional to the rows written.
 */
export class LanceWriteBehind {
  private readonly maintenance = new WriteQueue();
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

  constructor(private readonly options: WriteBehindOptions) {}

  /** A document's new state (`document` undefined: deleted), `rows` chunk rows to write. */
  record(source: string, change: Change, rows: number): void {
    this.pending.set(source, change);
    this.pendingRows += rows;
  }

  /** The sources LanceDB does not have in their current state yet. */
  *unwrittenSources(): Iterable<string> {
    yield* this.pending.keys();
    for (const flush of this.flushing) yield* flush.changes.keys();
  }

  /** Inside a write: flush when enough is pending, else once writes pause. */
  async afterWrite(waitForFlush: boolean): Promise<void> {
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
      void this.options.writes
        .run(() => this.startFlush())
        .then(
          ({ written }) => written.catch(() => undefined),
          () => undefined,
        );
    }, this.options.flushIdleMs);
    this.flushTimer.unref();
  }

  /** Writes everything pending to LanceDB and waits for the maintenance queue. */
  async flushNow(): Promise<void> {
    const { written } = await this.options.writes.run(() => this.startFlush());
    await written;
    await this.maintenance.idle();
  }

  /** Flushes, then compacts (folding new rows into the vector index, removing old versions). */
  async optimize(): Promise<void> {
    await this.flushNow();
    await this.maintenance.run(() => this.compact());
  }

  /**
   * At close, after the last write: flushes and compacts what was written since the last
   * compaction. A folder that cannot be written is logged, not thrown: the journal still holds
   * every acknowledged write, and the next start replays it.
   */
  async close(): Promise<void> {
    clearTimeout(this.flushTimer);
    clearTimeout(this.compactTimer);
    try {
      await this.flushNow();
      if (this.sinceCompaction.flushes > 0) await this.maintenance.run(() => this.compact());
    } catch (error) {
      this.options.logger.warn('document index not flushed at close; the next start replays it', {
        error: String(error),
      });
    } finally {
      this.closed = true;
      await this.maintenance.idle();
    }
  }

  /**
   * From inside the write queue: takes the pending writes and a journal segment of their own,
   * and queues their flush, which `written` follows.
   */
  private async startFlush(): Promise<{ written: Promise<void> }> {
    if (this.pending.size === 0) return { written: Promise.resolve() };
    const segment = await this.options.guard.run('sealing the journal', () =>
      this.options.journal.seal(),
    );
    const flush: Flush = { changes: this.pending, segment, step: 0 };
    this.pending = new Map();
    this.pendingRows = 0;
    this.flushing.push(flush);
    return { written: this.maintenance.run(() => this.flush(flush)) };
  }

  /** Writes one flush to LanceDB (retrying), releases its journal, and compacts when due. */
  private async flush(flush: Flush): Promise<void> {
    const { logger, tables, journal } = this.options;
    for (let attempt = 1; ; attempt++) {
      try {
        this.sinceCompaction.rows += await tables.write(flush);
        break;
      } catch (error) {
        logger.warn('document index flush failed', { attempt, error: String(error) });
        // The journal keeps the writes, and the next start replays them.
        if (attempt === 3) {
          throw (
            this.options.guard.failed(error) ??
            new UpstreamError('the document index could not be written', { cause: error })
          );
        }
        await new Promise((resolve) => setTimeout(resolve, 200 * 4 ** attempt));
      }
    }
    for (const change of flush.changes.values())
      for (const chunk of change.chunks) delete (chunk as Partial<LiveChunk>).vector;
    this.flushing.splice(this.flushing.indexOf(flush), 1);
    this.sinceCompaction.rows += [...flush.changes.values()].reduce(
      (sum, c) => sum + c.chunks.length,
      0,
    );
    this.sinceCompaction.flushes += 1;
    // Segments up to the oldest flush still unwritten must stay.
    const oldest = this.flushing[0];
    await journal.release(oldest ? oldest.segment - 1 : flush.segment);
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
    const { tables, flushRows, vectorIndexMinRows } = this.options;
    return (
      rows >= Math.max(flushRows, tables.rows / 2) ||
      flushes >= MAX_FLUSHES_BETWEEN_COMPACTIONS ||
      (!tables.vectorIndexed && tables.rows >= vectorIndexMinRows)
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
    const { logger, vectorIndexMinRows, dimensions, tables } = this.options;
    try {
      const started = performance.now();
      const built = await tables.compact(vectorIndexMinRows, dimensions);
      this.sinceCompaction = { rows: 0, flushes: 0 };
      this.lastCompaction = Date.now();
      logger.info('document index compacted', {
        rows: tables.rows,
        ms: Math.round(performance.now() - started),
        ...(built && { vectorIndexBuilt: true }),
      });
    } catch (error) {
      // The data is written and searchable; uncompacted files only cost disk and speed.
      logger.warn('document index maintenance failed', { error: String(error) });
    }
  }
}
