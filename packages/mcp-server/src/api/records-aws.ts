/**
 * `chatbot-mcp-server/records-aws`: the DynamoDB record store alone, for bundles that must not
 * carry the embedded store (dynalite) along, such as the chat's Lambda functions.
 */
export { DynamoDbRecordStore } from '../adapters/aws/dynamodb-record-store.js';
export { createDocumentClient } from '../adapters/aws/dynamodb-client.js';
export { ensureTables } from '../adapters/aws/ensure-tables.js';
