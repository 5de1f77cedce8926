/** One chunk of a document as stored and searched. */
export interface Chunk {
  /** `<source>#<position>`: stable across re-ingestion of unchanged content. */
  id: string;
  source: string;
  content: string;
  title?: string;
  /** Heading path, e.g. "Setup > Claude Desktop". */
  heading?: string;
  position: number;
  metadata: Record<string, string | number | boolean>;
}

export interface StoredChunk extends Chunk {
  vector: Float32Array;
}

export type SearchMode = 'hybrid' | 'vector' | 'keyword';

export interface SearchFilter {
  source?: string;
  /** Exact-match metadata fields. */
  metadata?: Record<string, string | number | boolean>;
  /**
   * The caller's principals (`callerReaders`): only chunks whose access shares one match. Set
   * by the document service from the caller, never from tool input; absent: no restriction.
   * Applied inside each backend's query, so `limit` still counts allowed chunks only.
   */
  readers?: readonly string[];
}

export interface SearchQuery {
  text: string;
  vector?: Float32Array;
  mode: SearchMode;
  limit: number;
  /** Drop results scoring below this; scores are in [0, 1] and comparable within a mode. */
  threshold?: number;
  filter?: SearchFilter;
}

export interface SearchHit extends Chunk {
  score: number;
  /**
   * The lead of the hit's document (see documents/ranking-fields.ts `pageLead`): what the whole
   * document is about, e.g. a manual page's NAME line. Absent when the document has none.
   */
  lead?: string;
}

export interface DocumentInfo {
  source: string;
  title?: string;
  chunks: number;
  contentHash: string;
  ingestedAt: string;
  /**
   * Who may read it, as principals (see documents/document-access.ts); stored with the
   * document and every chunk. Absent: everyone.
   */
  access?: readonly string[];
}

export interface DocumentReplacement {
  document: DocumentInfo;
  chunks: readonly StoredChunk[];
}

/** Where chunks live and are searched. Implementations: LanceDB (embedded), OpenSearch. */
export interface VectorStore {
  /** Replaces every chunk of `document.source` with `chunks`, atomically as far as the backend allows. */
  replaceDocument(document: DocumentInfo, chunks: readonly StoredChunk[]): Promise<void>;
  /**
   * `replaceDocument` for many documents in as few backend writes as it allows (bulk ingestion:
   * one write per document is far too slow for thousands). Each document is still replaced
   * whole; the batch as a whole need not be atomic. Sources in one batch are distinct.
   * Optional: without it, callers fall back to one `replaceDocument` per document.
   */
  replaceDocuments?(entries: readonly DocumentReplacement[]): Promise<void>;
  /**
   * The stored document, if any (used to skip unchanged content); with `readers`, only if they
   * may read it (a document they may not read is answered like a missing one).
   */
  getDocument(source: string, readers?: readonly string[]): Promise<DocumentInfo | undefined>;
  /**
   * The stored documents among `sources`, in any order; unknown sources are left out.
   * Optional: without it, callers fall back to one `getDocument` per source.
   */
  getDocuments?(sources: readonly string[]): Promise<DocumentInfo[]>;
  /**
   * Every chunk of the stored version of `source`, in position order (the document's text, read
   * back); empty for an unknown source, or one `readers` may not read. Vectors are left out.
   */
  getChunks(source: string, readers?: readonly string[]): Promise<Chunk[]>;
  deleteDocument(source: string): Promise<number>;
  /** Documents by source; with `readers`, only those they may read, `limit` of them a page. */
  listDocuments(options: { limit: number; cursor?: string; readers?: readonly string[] }): Promise<{
    documents: DocumentInfo[];
    cursor?: string;
  }>;
  search(query: SearchQuery): Promise<SearchHit[]>;
  close(): Promise<void>;
}
