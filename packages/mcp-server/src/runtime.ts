import type { ItemClient, TableClient } from './adapters/aws/dynamodb-operations.js';
import { DynamoDbRecordStore } from './adapters/aws/dynamodb-record-store.js';
import { ensureTables } from './adapters/aws/ensure-tables.js';
import type { ServerConfig } from './config.js';
import { defaultContractPath } from './contract/contract-path.js';
import { loadCheckedContract } from './contract/checked-contract.js';
import type { Logger } from './logger.js';
import type { StoreHealth } from './adapters/local/dynalite-recovery.js';
import type { RecordStore } from './ports/record-store.js';
import { RecordService } from './records/record-service.js';
import { TableRegistry } from './records/table-registry.js';
import { ToolRegistry } from './tool-registry.js';
import { lazyDocuments, type LazyDocuments } from './document-runtime.js';
import { DocumentChanges } from './mcp/server-content.js';
import { documentTools } from './tools/documents.js';
import { recordTools } from './tools/records.js';

/** Everything a transport needs, built once per process from the configuration. */
export interface Runtime {
  registry: ToolRegistry;
  records: RecordService;
  /** The record store under the tools, for a host that keeps its own tables beside them. */
  store: RecordStore;
  tables: TableRegistry;
  /** The document service, opened on first use. */
  documents: LazyDocuments;
  /**
   * The embedded record store takes writes, or why not (after a full disk it refuses them until
   * it has reopened its database, which it does by itself once there is room). Absent for
   * DynamoDB, which reports its own health.
   */
  storeHealth?: () => Promise<StoreHealth>;
  close(): Promise<void>;
}

export interface RuntimeOptions {
  contractPath?: string;
  /** Keep embedded stores in memory (tests, benchmarks). */
  inMemory?: boolean;
  /** Serve the embedded record store from this thread, not a worker (fault-injection tests). */
  embeddedStoreInThisThread?: boolean;
  /**
   * Serve MCP to other servers on the same data directory over `<dataDir>/mcp-socket/mcp.sock`
   * while this runtime holds it (default true; embedded record store on disk only).
   */
  share?: boolean;
}

/** Wires configuration to adapters, services and tools. Transports call this and nothing else. */
export async function createRuntime(
  config: ServerConfig,
  logger: Logger,
  options: RuntimeOptions = {},
): Promise<Runtime> {
  const closers: (() => Promise<void>)[] = [];
  try {
    // The contract loads while the record store starts.
    const contractLoading = loadCheckedContract(options.contractPath ?? defaultContractPath());
    contractLoading.catch(() => undefined); // awaited below; avoid an unhandled rejection meanwhile

    let client: ItemClient & TableClient;
    let storeHealth: (() => Promise<StoreHealth>) | undefined;
    if (config.recordStore.kind === 'embedded') {
      // Loaded on demand: the Lambda bundle leaves embedded stores out. The embedded store is
      // reached through its loopback client alone, so a local start never loads the AWS SDK.
      const { startEmbeddedDynamoDb } = await import('./adapters/local/embedded-dynamodb.js');
      const { LocalDynamoDbClient } = await import('./adapters/local/local-dynamodb-client.js');
      const embedded = await startEmbeddedDynamoDb({
        dataDir: config.dataDir,
        inMemory: options.inMemory ?? false,
        thread: !options.embeddedStoreInThisThread,
      });
      closers.push(() => embedded.close());
      storeHealth = () => embedded.health();
      const local = new LocalDynamoDbClient(embedded);
      closers.push(() => Promise.resolve(local.destroy()));
      client = local;
      logger.info('embedded record store started', { dataDir: config.dataDir });
    } else {
      const { createDocumentClient } = await import('./adapters/aws/dynamodb-client.js');
      const sdk = createDocumentClient(config.recordStore);
      closers.push(() => Promise.resolve(sdk.destroy()));
      client = sdk;
    }
    if (config.createTables) await ensureTables(client, config.tables);

    const contract = await contractLoading;
    const tables = new TableRegistry(config.tables);
    const store = new DynamoDbRecordStore({ client });
    const records = new RecordService({ tables, store });
    const documents = lazyDocuments(config, logger);
    closers.push(() => documents.close());
    const changes = new DocumentChanges();
    const registry = new ToolRegistry(
      contract.tools,
      [recordTools(records, tables), documentTools(documents, changes)],
      {
        schemasChecked: contract.schemasChecked,
        readOnly: config.readOnly,
        ...(config.enabledTools && { enabledTools: config.enabledTools }),
        content: { documents, tables, changes, readOnly: config.readOnly },
      },
    );
    if (config.recordStore.kind === 'embedded' && !options.inMemory && options.share !== false) {
      // This process holds the data directory's lock now: a second server attaches through here.
      const { shareOverSocket } = await import('./transports/shared-socket.js');
      const shared = await shareOverSocket(registry, config.dataDir, logger);
      if (shared) closers.push(() => shared.close());
    }
    return {
      registry,
      records,
      store,
      tables,
      documents,
      ...(storeHealth && { storeHealth }),
      close: () => closeAll(closers),
    };
  } catch (error) {
    await closeAll(closers);
    throw error;
  }
}

async function closeAll(closers: (() => Promise<void>)[]): Promise<void> {
  for (const close of closers.reverse()) await close();
}
