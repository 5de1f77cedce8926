import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { EmbedderConfig, ServerConfig, VectorStoreConfig } from './config.js';
import { ConfigError } from './errors.js';
import type { DocumentService } from './documents/document-service.js';
import type { Logger } from './logger.js';
import type { Embedder } from './ports/embedder.js';
import type { VectorStore } from './ports/vector-store.js';

/** The document service, opened on first use so start-up does not pay for the index. */
export interface LazyDocuments {
  get(): Promise<DocumentService>;
  close(): Promise<void>;
}

export function lazyDocuments(config: ServerConfig, logger: Logger): LazyDocuments {
  let opening: Promise<{ service: DocumentService; store: VectorStore }> | undefined;
  const open = async (): Promise<{ service: DocumentService; store: VectorStore }> => {
    // With the adapters: the chunker and the HTML parser are only needed once documents are.
    const { DocumentService } = await import('./documents/document-service.js');
    const embedder = await createEmbedder(config.embedder);
    const store = await createVectorStore(config.vectorStore, config.dataDir, embedder, logger);
    logger.info('document index opened', { store: config.vectorStore.kind, embedder: embedder.id });
    return { service: new DocumentService({ store, embedder }), store };
  };
  return {
    get: async () => {
      opening ??= open().catch((error: unknown) => {
        opening = undefined; // a later call may succeed (e.g. once the folder is writable)
        throw error;
      });
      return (await opening).service;
    },
    close: async () => {
      if (!opening) return;
      const opened = await opening.catch(() => undefined);
      await opened?.store.close();
    },
  };
}

/** Adapters are imported on demand: LanceDB and the AWS clients are heavy, and each deployment uses one. */
async function createEmbedder(config: EmbedderConfig): Promise<Embedder> {
  if (config.kind === 'local') {
    const { HashingEmbedder } = await import('./adapters/local/hashing-embedder.js');
    return new HashingEmbedder();
  }
  const { BedrockTitanEmbedder } = await import('./adapters/aws/bedrock-titan-embedder.js');
  return new BedrockTitanEmbedder({
    client: { region: config.region, ...(config.endpoint && { endpoint: config.endpoint }) },
    dimensions: config.dimensions,
  });
}

async function createVectorStore(
  config: VectorStoreConfig,
  dataDir: string,
  embedder: Embedder,
  logger: Logger,
): Promise<VectorStore> {
  if (config.kind === 'embedded') {
    await checkManifestReadable(join(dataDir, 'documents', 'index.json'));
    const { LanceDbVectorStore } = await import('./adapters/local/lancedb-vector-store.js');
    return LanceDbVectorStore.open({ dataDir, embedder, logger });
  }
  const { createOpenSearchClient } = await import('./adapters/aws/opensearch-client.js');
  const { OpenSearchVectorStore } = await import('./adapters/aws/opensearch-vector-store.js');
  const client = createOpenSearchClient({
    node: config.node,
    service: config.service,
    ...(config.region && { region: config.region }),
  });
  return new OpenSearchVectorStore({
    client,
    embedder,
    index: config.index,
    // Serverless has no refresh API; its writes become searchable within seconds.
    refresh: config.service !== 'aoss',
  });
}

/**
 * The index's manifest records which embedder built it. A torn one (a crash or a full disk while
 * it was written) would fail deep inside the index with a generic message: name it and say what
 * to do instead.
 */
async function checkManifestReadable(file: string): Promise<void> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch {
    return; // absent (created on first open) or unreadable (the index reports that itself)
  }
  try {
    JSON.parse(text);
  } catch {
    throw new ConfigError(
      `${file} is damaged (not valid JSON; it was probably cut short by a crash or a full disk). It only records which embedder built the document index: delete it and start again, and it is written anew; if you changed EMBEDDER since the documents were ingested, ingest them again`,
    );
  }
}
