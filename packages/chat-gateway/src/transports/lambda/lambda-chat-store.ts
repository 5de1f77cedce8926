import { TableRegistry } from 'chatbot-mcp-server/core';
import {
  createDocumentClient,
  DynamoDbRecordStore,
  ensureTables,
} from 'chatbot-mcp-server/records-aws';
import type { ChatRecordStore } from '../../app/open-chat-store.js';
import { GatewayConfigError } from '../../errors.js';
import { loadChatConfig } from '../../app/chat-tables.js';

/**
 * The chat's tables for the Lambda functions: DynamoDB only. Kept apart from `openChatStore`
 * (which can start the embedded store) so that the functions' bundles never carry dynalite.
 */
export async function openLambdaChatStore(options: {
  env: Record<string, string | undefined>;
  dataDir: string;
  configFile?: string;
}): Promise<ChatRecordStore> {
  const config = loadChatConfig(options.env, {
    dataDir: options.dataDir,
    ...(options.configFile && { configFile: options.configFile }),
  });
  if (config.recordStore.kind !== 'dynamodb')
    throw new GatewayConfigError(
      `RECORD_STORE: ${config.recordStore.kind} is not available in the Lambda functions; use dynamodb (with the table names in SESSIONS_TABLE, CONVERSATIONS_TABLE, ANALYTICS_TABLE)`,
    );
  const client = createDocumentClient(config.recordStore);
  if (config.createTables) await ensureTables(client, config.tables);
  return {
    store: new DynamoDbRecordStore({ client }),
    tables: new TableRegistry(config.tables),
    exclusive: false,
    close: () => Promise.resolve(client.destroy()),
  };
}
