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
