import { makeArrowTable, type Connection, type Table } from '@lancedb/lancedb';
import type { Table as ArrowTable } from 'apache-arrow';
import type { Chunk, DocumentInfo } from '../../ports/vector-store.js';
import { createVectorIndex, dropTextIndexes, hasVectorIndex } from './lancedb-indexes.js';
import type { LiveChunk } from './lancedb-live-chunks.js';
import {
  ACCESS_COLUMN,
  chunksSchema,
  documentsSchema,
  fromDocumentRow,
  fromLoadedChunkRow,
  LEGACY_TEXT_COLUMNS,
  LOAD_COLUMNS,
  toChunkRow,
  toDocumentRow,
} from './lancedb-rows.js';
import { sqlIn } from './sql-filter.js';

const CHUNKS = 'chunks';
const DOCUMENTS = 'documents';
/** Sources per `IN (...)` list, keeping SQL texts at a sane size. */
const IN_BATCH = 500;

/** Rows converted to Arrow between two yields to the event loop (~10 ms of work). */
const ARROW_SLICE_ROWS = 50;

/** One source's new state in a flush: its document and chunks, or gone. */
export interface Change {
  document: DocumentInfo | undefined;
  chunks: readonly LiveChunk[];
}

/** A flush in progress: `step` lets a retry resume after the last commit that succeeded. */
export interface Flush {
  changes: ReadonlyMap<string, Change>;
  /** The last journal segment whose entries this flush holds. */
  segment: number;
  step: number;
}

/**
 * The two LanceDB tables and what is known about their contents, which is all the store needs
 * to write them without reading them: chunk rows per source and document rows. Writers are
 * serialized by the caller; readers (vector searches) go through `read`, and the one step that
 * deletes files, version cleanup, waits until none is in flight and holds new ones back, so a
 * search never loses a file it is reading.
 */
export class LanceTables {
  /** Chunk rows in LanceDB per source. */
  readonly storedRows = new Map<string, number>();
  readonly storedDocuments = new Set<string>();
  /** Chunk rows in LanceDB. */
  rows = 0;
  vectorIndexed = false;
  private readers = 0;
  private readersDone: (() => void)[] = [];
  private gate: Promise<void> | undefined;

  private constructor(
    readonly db: Connection,
    readonly chunks: Table,
    readonly documents: Table,
    private readonly legacyColumns: boolean,
  ) {}

  static async open(db: Connection, dimensions: number): Promise<LanceTables> {
    const names = new Set(await db.tableNames());
    const chunks = names.has(CHUNKS)
      ? await db.openTable(CHUNKS)
      : await db.createEmptyTable(CHUNKS, chunksSchema(dimensions), { existOk: true });
    const documents = names.has(DOCUMENTS)
      ? await db.openTable(DOCUMENTS)
      : await db.createEmptyTable(DOCUMENTS, documentsSchema, { existOk: true });
    await addAccessColumn(chunks);
    await addAccessColumn(documents);
    const fields = new Set((await chunks.schema()).fields.map((f) => f.name));
    const tables = new LanceTables(
      db,
      chunks,
      documents,
      LEGACY_TEXT_COLUMNS.every((c) => fields.has(c)),
    );
    await dropTextIndexes(chunks);
    tables.vectorIndexed = await hasVectorIndex(chunks);
    return tables;
  }

  /** Every stored chunk (without vectors) and document, and the bookkeeping that follows. */
  async load(): Promise<{
    chunks: (Chunk & { access: string[] })[];
    documents: DocumentInfo[];
  }> {
    const rows = (await this.chunks.query().select(LOAD_COLUMNS).toArray()) as Record<
      string,
      unknown
    >[];
    const chunks = rows.map(fromLoadedChunkRow);
    for (const chunk of chunks)
      this.storedRows.set(chunk.source, (this.storedRows.get(chunk.source) ?? 0) + 1);
    this.rows = chunks.length;
    const documents = ((await this.documents.query().toArray()) as Record<string, unknown>[]).map(
      fromDocumentRow,
    );
    for (const document of documents) this.storedDocuments.add(document.source);
    return { chunks, documents };
  }

  /**
   * Writes a flush in at most four commits (delete stale chunks, add chunks, the same for
   * documents), whatever the number of documents in it. Returns the chunk rows deleted.
   */
  async write(flush: Flush): Promise<number> {
    const sources = [...flush.changes.keys()];
    let deleted = 0;
    if (flush.step === 0) {
      const stale = sources.filter((s) => (this.storedRows.get(s) ?? 0) > 0);
      for (let i = 0; i < stale.length; i += IN_BATCH) {
        const batch = stale.slice(i, i + IN_BATCH);
        await this.chunks.delete(sqlIn('source', batch));
        for (const source of batch) {
          deleted += this.storedRows.get(source) ?? 0;
          this.storedRows.delete(source);
        }
      }
      this.rows -= deleted;
      flush.step = 1;
    }
    if (flush.step === 1) {
      const chunks = [...flush.changes.values()].flatMap((change) => change.chunks);
      if (chunks.length > 0) await this.chunks.add(await this.asArrowInSlices(chunks));
      for (const [source, change] of flush.changes) {
        if (change.chunks.length > 0) this.storedRows.set(source, change.chunks.length);
      }
      this.rows += chunks.length;
      flush.step = 2;
    }
    if (flush.step === 2) {
      const stale = sources.filter((s) => this.storedDocuments.has(s));
      for (let i = 0; i < stale.length; i += IN_BATCH) {
        const batch = stale.slice(i, i + IN_BATCH);
        await this.documents.delete(sqlIn('source', batch));
        for (const source of batch) this.storedDocuments.delete(source);
      }
      flush.step = 3;
    }
    if (flush.step === 3) {
      const documents = [...flush.changes.values()].flatMap((c) =>
        c.document ? [c.document] : [],
      );
      if (documents.length > 0) await this.documents.add(documents.map(toDocumentRow));
      for (const document of documents) this.storedDocuments.add(document.source);
      flush.step = 4;
    }
    return deleted;
  }

  /**
   * Chunks as rows of one Arrow table, converted a slice at a time with a yield between:
   * converting a flush of 2,000 chunks (1,024-float vectors) at once held the event loop for
   * ~400 ms, and every tool call arriving meanwhile waited for it. One table still makes one
   * LanceDB write.
   */
  private async asArrowInSlices(chunks: readonly LiveChunk[]): Promise<ArrowTable> {
    const schema = await this.chunks.schema();
    const parts: ArrowTable[] = [];
    for (let i = 0; i < chunks.length; i += ARROW_SLICE_ROWS) {
      if (i > 0) await new Promise((resolve) => setImmediate(resolve));
      const rows = chunks
        .slice(i, i + ARROW_SLICE_ROWS)
        .map((chunk) => toChunkRow({ ...chunk, vector: chunk.vector! }, this.legacyColumns));
      parts.push(makeArrowTable(rows, { schema }));
    }
    return parts[0]!.concat(...parts.slice(1));
  }

  /**
   * Compacts both tables, folds new rows into the vector index (building it once the table has
   * `vectorIndexMinRows`), then removes every old version and the files only they used.
   * Compaction rewrites the table, so the caller spaces it out (see the store's `compactDue`).
   */
  async compact(vectorIndexMinRows: number, dimensions: number): Promise<boolean> {
    await this.chunks.optimize();
    await this.documents.optimize();
    let built = false;
    if (!this.vectorIndexed && this.rows >= vectorIndexMinRows) {
      await createVectorIndex(this.chunks, this.rows, dimensions);
      this.vectorIndexed = true;
      built = true;
    }
    // The files go only here, with no search reading them; `optimize` has nothing left to
    // compact now, so this is a cleanup only.
    await this.exclusive(async () => {
      await this.chunks.optimize({ cleanupOlderThan: new Date() });
      await this.documents.optimize({ cleanupOlderThan: new Date() });
    });
    return built;
  }

  /** Runs a read of the tables; waits while old files are being deleted. */
  async read<T>(run: () => Promise<T>): Promise<T> {
    while (this.gate) await this.gate;
    this.readers += 1;
    try {
      return await run();
    } finally {
      this.readers -= 1;
      if (this.readers === 0) for (const done of this.readersDone.splice(0)) done();
    }
  }

  close(): void {
    this.chunks.close();
    this.documents.close();
    this.db.close();
  }

  private async exclusive(run: () => Promise<void>): Promise<void> {
    let open!: () => void;
    this.gate = new Promise<void>((resolve) => (open = resolve));
    try {
      while (this.readers > 0) await new Promise<void>((r) => this.readersDone.push(r));
      await run();
    } finally {
      this.gate = undefined;
      open();
    }
  }
}

/** A table written before documents had access gets the column, every row open to everyone. */
async function addAccessColumn(table: Table): Promise<void> {
  const fields = (await table.schema()).fields.map((f) => f.name);
  if (!fields.includes(ACCESS_COLUMN.name)) await table.addColumns([ACCESS_COLUMN]);
}
