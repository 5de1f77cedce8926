import type { LazyDocuments } from '../document-runtime.js';
import type { TableRegistry } from '../records/table-registry.js';

/** What an MCP server offers besides tools: documents and tables as resources and prompts. */
export interface ServerContent {
  documents: LazyDocuments;
  tables: TableRegistry;
  /** Fires after a document is ingested or deleted; each connected server tells its client. */
  changes: DocumentChanges;
  /** The server refuses writing tools (tables' resources say so). */
  readOnly: boolean;
}

/**
 * A change feed shared by every server of a process (stdio has one; stateless HTTP makes one
 * per request). Listeners are plain callbacks: a slow client must not hold up an ingest.
 */
export class DocumentChanges {
  private readonly listeners = new Set<() => void>();

  /** Returns the unsubscribe function. */
  subscribe(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  notify(): void {
    for (const listener of [...this.listeners]) listener();
  }
}
