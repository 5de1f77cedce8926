/**
 * `chatbot-mcp-server/core`: logging, errors, configuration, the table model, and the HTTP
 * socket limits the chat gateway shares. Light by design: importing it loads neither LanceDB
 * nor the AWS SDK.
 */
export { createLogger, silentLogger, errorFields, type Logger, type LogLevel } from '../logger.js';
export * from '../errors.js';
export {
  loadConfig,
  defaultDataDir,
  type ServerConfig,
  type ConfigOverrides,
  type RecordStoreConfig,
} from '../config.js';
export * from '../tables/table-model.js';
export { defaultTables, loadTablesFile, type DefaultTableNames } from '../tables/tables-file.js';
export { TableRegistry } from '../records/table-registry.js';
export type {
  RecordStore,
  TableSpec,
  RecordItem,
  RecordKey,
  KeyValue,
  ListPage,
  ListQuery,
} from '../ports/record-store.js';
export { SERVER_NAME, SERVER_VERSION } from '../version.js';
export { CALLER_META_KEY } from '../identity/resolve-caller.js';
export { createLimitedServer, type SocketLimits, type SocketGuard } from '../http/socket-limits.js';
export { pdfToText } from '../files/pdf-text.js';
export { cutText, cutTextEnd } from '../cut-text.js';
