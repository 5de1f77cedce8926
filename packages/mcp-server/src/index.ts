/** The public surface of chatbot-mcp-server. */
export { createMcpServer, type McpServerDeps } from './server.js';
export { createRuntime, type Runtime, type RuntimeOptions } from './runtime.js';
export { loadConfig, type ServerConfig, type ConfigOverrides } from './config.js';
export { ToolRegistry } from './tool-registry.js';
export { loadToolContract } from './contract/load-contract.js';
export type { ToolContract } from './contract/tool-contract.js';
export { createLogger, silentLogger, type Logger } from './logger.js';
export * from './errors.js';
export type {
  RecordStore,
  TableSpec,
  RecordItem,
  RecordKey,
  ListPage,
  ListQuery,
} from './ports/record-store.js';
export { DynamoDbRecordStore } from './adapters/aws/dynamodb-record-store.js';
export { RecordService } from './records/record-service.js';
export type {
  VectorStore,
  Chunk,
  StoredChunk,
  DocumentInfo,
  DocumentReplacement,
  SearchQuery,
  SearchHit,
  SearchMode,
  SearchFilter,
} from './ports/vector-store.js';
export type { Embedder } from './ports/embedder.js';
export {
  DocumentService,
  type DocumentServiceOptions,
  type IngestResult,
} from './documents/document-service.js';
export type { IngestInput, SearchInput } from './documents/document-input.js';
export { chunkDocument, DEFAULT_CHUNKING, type ChunkingOptions } from './documents/chunker.js';
export { HashingEmbedder, type HashingEmbedderOptions } from './adapters/local/hashing-embedder.js';
export {
  LanceDbVectorStore,
  type LanceDbVectorStoreOptions,
} from './adapters/local/lancedb-vector-store.js';
export {
  DEFAULT_FUSION,
  HASHING_EMBEDDER_FUSION,
  type HybridFusion,
} from './adapters/local/hybrid-fusion.js';
