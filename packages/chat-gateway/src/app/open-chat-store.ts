import { join } from 'node:path';
import { TableRegistry, type Logger, type RecordStore } from 'chatbot-mcp-server/core';
import type { Runtime, StoreHealth } from 'chatbot-mcp-server/runtime';
import { loadChatConfig } from './chat-tables.js';

export interface ChatRecordStore {
  store: RecordStore;
  tables: TableRegistry;
  /** Only this process writes it (an embedded store, which locks its data directory). */
  exclusive: boolean;
  /**
   * An embedded store: whether it takes writes now (after a full disk it refuses them until it
   * has reopened itself, once there is room). DynamoDB has none.
   */
  health?: () => Promise<StoreHealth>;
  close(): Promise<void>;
}

/**
 * Where the chat keeps sessions, conversations and analytics. In-process MCP: the same record
 * store as the tools (one embedded store per data directory). Otherwise the gateway opens its
 * own: DynamoDB when `RECORD_STORE=dynamodb`, else an embedded store in `<data-dir>/chat` (the
 * MCP server child holds the lock on the data directory's own store).
 */
export async function openChatStore(options: {
  runtime?: Runtime;
  /** The runtime's record store is embedded (only this process writes it). */
  runtimeStoreEmbedded?: boolean;
  env: Record<string, string | undefined>;
  dataDir: string;
  configFile?: string;
  logger: Logger;
  inMemory?: boolean;
  /** Open the data directory's own store (not `<data-dir>/chat`): the stats command in in-process mode. */
  shared?: boolean;
}): Promise<ChatRecordStore> {
  if (options.runtime) {
    return {
      store: options.runtime.store,
      tables: options.runtime.tables,
      exclusive: options.runtimeStoreEmbedded ?? false,
      ...(options.runtime.storeHealth && { health: options.runtime.storeHealth }),
      close: () => Promise.resolve(),
    };
  }
  const config = loadChatConfig(options.env, {
    dataDir: options.shared ? options.dataDir : join(options.dataDir, 'chat'),
    ...(options.configFile && { configFile: options.configFile }),
  });
  const records = await import('chatbot-mcp-server/records');
  const tables = new TableRegistry(config.tables);
  if (config.recordStore.kind === 'dynamodb') {
    const client = records.createDocumentClient(config.recordStore);
    if (config.createTables) await records.ensureTables(client, config.tables);
    return {
      store: new records.DynamoDbRecordStore({ client }),
      tables,
      exclusive: false,
      close: () => Promise.resolve(client.destroy()),
    };
  }
  const embedded = await records.startEmbeddedDynamoDb({
    dataDir: config.dataDir,
    inMemory: options.inMemory ?? false,
  });
  const client = records.createDocumentClient({
    region: 'local',
    endpoint: embedded.endpoint,
    localCredentials: true,
  });
  await records.ensureTables(client, config.tables);
  const fast = new records.LocalDynamoDbClient(embedded);
  options.logger.info('chat store started', { dataDir: config.dataDir });
  return {
    store: new records.DynamoDbRecordStore({ client: fast }),
    tables,
    exclusive: true,
    health: () => embedded.health(),
    close: async () => {
      fast.destroy();
      client.destroy();
      await embedded.close();
    },
  };
}
