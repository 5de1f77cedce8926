/**
 * `chatbot-mcp-server/records`: the record-store adapters, for a process that keeps its own
 * tables (a chat gateway's sessions) on DynamoDB or the embedded store.
 */
export { DynamoDbRecordStore } from '../adapters/aws/dynamodb-record-store.js';
export { createDocumentClient } from '../adapters/aws/dynamodb-client.js';
export { ensureTables } from '../adapters/aws/ensure-tables.js';
export { LocalDynamoDbClient } from '../adapters/local/local-dynamodb-client.js';
export { startEmbeddedDynamoDb } from '../adapters/local/embedded-dynamodb.js';
export type { StoreHealth } from '../adapters/local/dynalite-recovery.js';
export { RecordService } from '../records/record-service.js';
