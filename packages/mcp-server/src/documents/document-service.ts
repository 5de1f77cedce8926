import { ConfigError, ConflictError, NotFoundError, ValidationError } from '../errors.js';
import type { Caller } from '../identity/caller.js';
import type { Embedder } from '../ports/embedder.js';
import type {
  Chunk,
  DocumentInfo,
  DocumentReplacement,
  SearchHit,
  StoredChunk,
  VectorStore,
} from '../ports/vector-store.js';
import {
  checkChunkingOptions,
  chunkDocument,
  DEFAULT_CHUNKING,
  type ChunkingOptions,
} from './chunker.js';
import { contentHash } from './content-hash.js';
import { callerReaders, EVERYONE, mayRead, sameAccess } from './document-access.js';
import {
  checkIngest,
  checkSearch,
  checkSource,
  type IngestInput,
  type SearchInput,
  type ValidIngest,
} from './document-input.js';
import { embedChunks, HEADER_CHARS } from './embed-chunks.js';
import { diverseBySource, diverseCandidateCount } from './source-diversity.js';

export interface DocumentServiceOptions {
  store: VectorStore;
  embedder: Embedder;
  chunking?: Partial<ChunkingOptions>;
  /** Texts per `embed` call. */
  embedBatchSize?: number;
  /** Chunks per store write in `ingestMany`. */
  writeBatchChunks?: number;
  now?: () => Date;
}

/** Where an ingest is: each stage is reported as it starts (with the chunks it works on). */
export type IngestStage = 'chunking' | 'embedding' | 'writing' | 'done';
export type IngestProgress = (stage: IngestStage, chunks: number) => void;

/** A stored document read back whole. */
export interface StoredDocument {
  document: DocumentInfo;
  /** Its chunks in order; `documentText` joins them. */
  chunks: Chunk[];
}

export interface IngestResult {
  source: string;
  chunks: number;
  /** True when the stored document already had this exact content and settings. */
  skipped: boolean;
}

/** Per document: unchanged (skip), or chunked and waiting to be embedded and written. */
type Plan =
  { doc: ValidIngest; skipped: DocumentInfo } | { doc: ValidIngest; chunks: Chunk[]; hash: string };

/** The search tool's largest `limit`: more chunks than an assistant can usefully read. */
export const MAX_TOOL_SEARCH_LIMIT = 20;
/** The largest `limit` of `retrieve`, the internal path used by evaluation. */
export const MAX_INTERNAL_SEARCH_LIMIT = 1_000;
export const DEFAULT_LIST_LIMIT = 25;

/**
 * The document tools' rules, independent of transport and backend: validation, chunking,
 * embedding, skipping unchanged content, and search. Every check runs before the first write,
 * so a bad input leaves the index exactly as it was.
 */
export class DocumentService {
  private readonly store: VectorStore;
  private readonly embedder: Embedder;
  private readonly chunking: ChunkingOptions;
  private readonly embedBatchSize: number;
  private readonly writeBatchChunks: number;
  private readonly now: () => Date;

  constructor(options: DocumentServiceOptions) {
    this.store = options.store;
    this.embedder = options.embedder;
    const chunking = { ...DEFAULT_CHUNKING, ...options.chunking };
    // Room for the title and heading that are embedded with each chunk.
    const ceiling = options.embedder.maxInputChars - HEADER_CHARS - 2;
    if (ceiling < 100)
      throw new ConfigError(
        `embedder ${options.embedder.id}: maxInputChars is too small to chunk for`,
      );
    chunking.maxChars = Math.min(chunking.maxChars, ceiling);
    chunking.targetChars = Math.min(chunking.targetChars, chunking.maxChars);
    this.chunking = checkChunkingOptions(chunking);
    this.embedBatchSize = options.embedBatchSize ?? 64;
    this.writeBatchChunks = options.writeBatchChunks ?? 2_000;
    this.now = options.now ?? (() => new Date());
  }

  /**
   * Adds or replaces one document. A caller other than the operator cannot replace a document
   * they may not read (it is refused, never overwritten).
   */
  async ingest(
    input: IngestInput,
    onProgress?: IngestProgress,
    caller?: Caller,
  ): Promise<IngestResult> {
    const [result] = await this.ingestPrepared(
      [checkIngest(input)],
      onProgress,
      callerReaders(caller),
    );
    onProgress?.('done', result!.chunks);
    return result!;
  }

  /**
   * One document with its chunks in order; NotFoundError when it is not indexed, or `caller`
   * (absent: the operator) may not read it: the same answer, so its existence does not leak.
   */
  async readDocument(source: string, caller?: Caller): Promise<StoredDocument> {
    checkSource(source);
    const readers = callerReaders(caller);
    const [document, chunks] = await Promise.all([
      this.store.getDocument(source, readers),
      this.store.getChunks(source, readers),
    ]);
    if (!document) {
      throw new NotFoundError(
        `source: no document ${JSON.stringify(source)} is indexed; list the documents to see their sources`,
      );
    }
    return { document, chunks };
  }

  /**
   * Adds or replaces many documents with few store writes (the CLI and evaluation use this).
   * All inputs are checked first: one bad input fails the call before anything is written.
   */
  async ingestMany(inputs: readonly IngestInput[]): Promise<IngestResult[]> {
    const docs = inputs.map((input, i) => checkIngest(input, `documents[${i}].`));
    const seen = new Set<string>();
    docs.forEach((doc, i) => {
      if (seen.has(doc.source)) {
        throw new ValidationError(
          `documents[${i}].source: ${JSON.stringify(doc.source)} appears twice; each document once`,
        );
      }
      seen.add(doc.source);
    });
    return this.ingestPrepared(docs);
  }

  /** The search tool: `limit` from 1 to 20, hybrid by default, over what `caller` may read. */
  async search(input: SearchInput, caller?: Caller): Promise<SearchHit[]> {
    return this.runSearch(input, MAX_TOOL_SEARCH_LIMIT, callerReaders(caller));
  }

  /**
   * Internal retrieval with a `limit` up to 1,000, for evaluation and batch jobs. Never wire
   * this to a tool: the search tool's smaller limit keeps answers readable and cheap.
   */
  async retrieve(input: SearchInput): Promise<SearchHit[]> {
    return this.runSearch(input, MAX_INTERNAL_SEARCH_LIMIT);
  }

  /**
   * Removes a document and all its chunks; returns how many chunks went. A document `caller`
   * may not read is answered like a missing one, and stays.
   */
  async deleteDocument(
    source: string,
    caller?: Caller,
  ): Promise<{ source: string; chunks: number }> {
    checkSource(source);
    const readers = callerReaders(caller);
    const existing = await this.store.getDocument(source, readers);
    if (readers !== undefined && !existing) {
      throw new NotFoundError(
        `source: no document ${JSON.stringify(source)} is indexed; list the documents to see their sources`,
      );
    }
    const removed = await this.store.deleteDocument(source);
    if (!existing && removed === 0) {
      throw new NotFoundError(
        `source: no document ${JSON.stringify(source)} is indexed; list the documents to see their sources`,
      );
    }
    return { source, chunks: removed };
  }

  /** A page of the documents `options.caller` (absent: the operator) may read. */
  async listDocuments(options: { limit?: number; cursor?: string; caller?: Caller } = {}): Promise<{
    documents: DocumentInfo[];
    cursor?: string;
  }> {
    const limit = options.limit ?? DEFAULT_LIST_LIMIT;
    if (!Number.isInteger(limit) || limit < 1 || limit > 100) {
      throw new ValidationError('limit: must be an integer from 1 to 100');
    }
    if (
      options.cursor !== undefined &&
      (typeof options.cursor !== 'string' || options.cursor === '')
    ) {
      throw new ValidationError('cursor: must be the cursor string from the previous page');
    }
    const readers = callerReaders(options.caller);
    return this.store.listDocuments({
      limit,
      ...(options.cursor !== undefined && { cursor: options.cursor }),
      ...(readers !== undefined && { readers }),
    });
  }

  private async runSearch(
    input: SearchInput,
    maxLimit: number,
    readers?: readonly string[],
  ): Promise<SearchHit[]> {
    const query = checkSearch(input, maxLimit);
    // The caller's principals join the filter, so each backend applies them inside its query.
    const filter = readers === undefined ? query.filter : { ...query.filter, readers };
    const vector =
      query.mode === 'keyword' ? undefined : (await this.embedder.embed([query.query], 'query'))[0];
    const hits = await this.store.search({
      text: query.query,
      mode: query.mode,
      limit: diverseCandidateCount(query.limit, maxLimit),
      ...(vector && { vector }),
      ...(query.threshold !== undefined && { threshold: query.threshold }),
      ...(filter && { filter }),
    });
    return diverseBySource(hits, query.limit);
  }

  private async ingestPrepared(
    docs: readonly ValidIngest[],
    onProgress?: IngestProgress,
    readers?: readonly string[],
  ): Promise<IngestResult[]> {
    onProgress?.('chunking', 0);
    const hashes = docs.map((doc) => contentHash(doc, this.chunking, this.embedder.id));
    const stored = new Map(
      (await this.existing(docs.map((d) => d.source))).map((d) => [d.source, d]),
    );

    // Chunk everything before writing anything: a document that yields no text fails the call cleanly.
    const plans = docs.map((doc, i): Plan => {
      const previous = stored.get(doc.source);
      if (previous && !mayRead(previous.access, readers)) {
        throw new ConflictError(
          `source: ${JSON.stringify(doc.source)} is taken by a document you cannot replace; ingest under another source`,
        );
      }
      // Same content, same access: nothing to do. New access alone still rewrites every chunk.
      if (previous && previous.contentHash === hashes[i] && sameAccess(previous.access, doc.access))
        return { doc, skipped: previous };
      const chunks = chunkDocument(doc, this.chunking);
      if (chunks.length === 0) {
        throw new ValidationError(
          `content of ${JSON.stringify(doc.source)}: has no text once markup is removed`,
        );
      }
      return { doc, chunks, hash: hashes[i]! };
    });

    const pending: DocumentReplacement[] = [];
    let pendingChunks = 0;
    for (const plan of plans) {
      if (!('chunks' in plan)) continue;
      onProgress?.('embedding', plan.chunks.length);
      const vectors: StoredChunk[] = await embedChunks(
        plan.chunks,
        this.embedder,
        this.embedBatchSize,
      );
      const title = plan.chunks[0]!.title;
      pending.push({
        document: {
          source: plan.doc.source,
          ...(title !== undefined && { title }),
          chunks: plan.chunks.length,
          contentHash: plan.hash,
          ingestedAt: this.now().toISOString(),
          ...(!sameAccess(plan.doc.access, [EVERYONE]) && { access: plan.doc.access }),
        },
        chunks: vectors,
      });
      pendingChunks += vectors.length;
      onProgress?.('writing', vectors.length);
      if (pendingChunks >= this.writeBatchChunks) {
        await this.write(pending.splice(0));
        pendingChunks = 0;
      }
    }
    await this.write(pending);
    return plans.map((plan) =>
      'chunks' in plan
        ? { source: plan.doc.source, chunks: plan.chunks.length, skipped: false }
        : { source: plan.doc.source, chunks: plan.skipped.chunks, skipped: true },
    );
  }

  private async existing(sources: readonly string[]): Promise<DocumentInfo[]> {
    if (this.store.getDocuments) return this.store.getDocuments(sources);
    const found = await Promise.all(sources.map((s) => this.store.getDocument(s)));
    return found.filter((d): d is DocumentInfo => d !== undefined);
  }

  private async write(batch: readonly DocumentReplacement[]): Promise<void> {
    if (batch.length === 0) return;
    if (this.store.replaceDocuments) return this.store.replaceDocuments(batch);
    for (const { document, chunks } of batch) await this.store.replaceDocument(document, chunks);
  }
}
