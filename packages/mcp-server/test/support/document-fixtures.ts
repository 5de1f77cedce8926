import { readdirSync, readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { extname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { HashingEmbedder } from '../../src/adapters/local/hashing-embedder.js';
import {
  LanceDbVectorStore,
  type LanceDbVectorStoreOptions,
} from '../../src/adapters/local/lancedb-vector-store.js';
import type { IngestInput } from '../../src/documents/document-input.js';
import { DocumentService } from '../../src/documents/document-service.js';

/** The sample documents in examples/docs at the repository root. */
export const EXAMPLE_DOCS_DIR = fileURLToPath(
  new URL('../../../../examples/docs/', import.meta.url),
);

const TYPES: Record<string, string> = {
  '.md': 'text/markdown',
  '.html': 'text/html',
  '.txt': 'text/plain',
};

export function exampleDocs(): IngestInput[] {
  return readdirSync(EXAMPLE_DOCS_DIR)
    .filter((name) => TYPES[extname(name)])
    .sort()
    .map((name) => ({
      source: name,
      content: readFileSync(join(EXAMPLE_DOCS_DIR, name), 'utf8'),
      contentType: TYPES[extname(name)]!,
    }));
}

export interface DocumentStack {
  dataDir: string;
  store: LanceDbVectorStore;
  service: DocumentService;
  embedder: HashingEmbedder;
  /** Closes the store and deletes the data folder. */
  dispose(): Promise<void>;
}

/** A real LanceDB store with the hashing embedder in a fresh temporary folder. */
export async function documentStack(
  options: Partial<Omit<LanceDbVectorStoreOptions, 'dataDir' | 'embedder'>> & {
    dataDir?: string;
  } = {},
): Promise<DocumentStack> {
  const dataDir = options.dataDir ?? (await mkdtemp(join(tmpdir(), 'documents-test-')));
  const embedder = new HashingEmbedder();
  const store = await LanceDbVectorStore.open({ ...options, dataDir, embedder });
  const service = new DocumentService({
    store,
    embedder,
    chunking: { targetChars: 600, overlapChars: 80 },
  });
  return {
    dataDir,
    store,
    service,
    embedder,
    dispose: async () => {
      await store.close();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}
