// Wrappers that add up the time spent in an Embedder and in a VectorStore's writes, so that the
// benchmark can split ingest time by stage without touching the service.
import type { Embedder } from '../src/ports/embedder.js';
import type {
  Chunk,
  DocumentInfo,
  DocumentReplacement,
  SearchHit,
  SearchQuery,
  StoredChunk,
  VectorStore,
} from '../src/ports/vector-store.js';

export class TimedEmbedder implements Embedder {
  readonly id: string;
  readonly dimensions: number;
  readonly maxInputChars: number;
  /** Milliseconds spent embedding since construction or the last `reset`. */
  spentMs = 0;

  constructor(private readonly inner: Embedder) {
    this.id = inner.id;
    this.dimensions = inner.dimensions;
    this.maxInputChars = inner.maxInputChars;
  }

  async embed(texts: readonly string[], purpose: 'document' | 'query'): Promise<Float32Array[]> {
    const started = performance.now();
    try {
      return await this.inner.embed(texts, purpose);
    } finally {
      this.spentMs += performance.now() - started;
    }
  }

  reset(): void {
    this.spentMs = 0;
  }
}

/** Times writes only (including the index maintenance the store runs inside them). */
export class TimedVectorStore implements VectorStore {
  /** Milliseconds spent in writes since construction or the last `reset`. */
  writeMs = 0;

  constructor(private readonly inner: VectorStore) {}

  replaceDocument(document: DocumentInfo, chunks: readonly StoredChunk[]): Promise<void> {
    return this.timed(() => this.inner.replaceDocument(document, chunks));
  }

  replaceDocuments(entries: readonly DocumentReplacement[]): Promise<void> {
    const inner = this.inner;
    if (!inner.replaceDocuments) {
      return this.timed(async () => {
        for (const e of entries) await inner.replaceDocument(e.document, e.chunks);
      });
    }
    return this.timed(() => inner.replaceDocuments!(entries));
  }

  getDocument(source: string): Promise<DocumentInfo | undefined> {
    return this.inner.getDocument(source);
  }

  async getDocuments(sources: readonly string[]): Promise<DocumentInfo[]> {
    if (this.inner.getDocuments) return this.inner.getDocuments(sources);
    const found = await Promise.all(sources.map((s) => this.inner.getDocument(s)));
    return found.filter((d): d is DocumentInfo => d !== undefined);
  }

  getChunks(source: string): Promise<Chunk[]> {
    return this.inner.getChunks(source);
  }

  deleteDocument(source: string): Promise<number> {
    return this.inner.deleteDocument(source);
  }

  listDocuments(options: { limit: number; cursor?: string }) {
    return this.inner.listDocuments(options);
  }

  search(query: SearchQuery): Promise<SearchHit[]> {
    return this.inner.search(query);
  }

  close(): Promise<void> {
    return this.inner.close();
  }

  reset(): void {
    this.writeMs = 0;
  }

  private async timed<T>(run: () => Promise<T>): Promise<T> {
    const started = performance.now();
    try {
      return await run();
    } finally {
      this.writeMs += performance.now() - started;
    }
  }
}
