import type { ItemClient, TableClient } from './adapters/aws/dynamodb-operations.js';
import { AwaitedClient } from './adapters/aws/awaited-client.js';
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
  /**
   * Serve the embedded record store from this thread, not a worker: the stdio CLI (one client's
   * calls in turn, where the worker's two thread hops per call cost more than its parallelism
   * gives) and fault-injection tests.
   */
  embeddedStoreInThisThread?: boolean;
  /**
   * Serve MCP to other servers on the same data directory over `<dataDir>/mcp-socket/mcp.sock`
   * while this runtime holds it (default true; embedded record store on disk only).
   */
  share?: boolean;
  /**
   * `openRuntime` only: start the record store when `startStore` is called or the first record
   * call comes, not at once (the data folder's lock is taken at once all the same). The stdio
   * server starts it right after the host's first request past `initialize`, so the store's
   * thread and LevelDB open do not compete for the CPU with the start-up handshake.
   */
  deferStoreStart?: boolean;
}

/** A runtime that answers before its record store is open (see `openRuntime`). */
export interface OpenedRuntime {
  runtime: Runtime;
  /**
   * Resolves once the record store has started and its tables are checked; rejects with the
   * reason it could not (a table with another key, a store that failed to open).
   */
  ready: Promise<void>;
  /**
   * Starts the record store now (with `deferStoreStart`; idempotent). A record call starts it
   * too, and waits for it.
   */
  startStore: () => void;
}

/**
 * Wires configuration to adapters, services and tools, and waits until the record store is
 * ready: a store that cannot start fails here. Transports call this (or `openRuntime`) and
 * nothing else.
 */
export async function createRuntime(
  config: ServerConfig,
  logger: Logger,
  options: RuntimeOptions = {},
): Promise<Runtime> {
  const { runtime, ready } = await openRuntime(config, logger, options);
  try {
    await ready;
  } catch (error) {
    await runtime.close();
    throw error;
  }
  return runtime;
}

/**
 * Like `createRuntime`, but returns as soon as the tools are known: the record store starts
 * (a worker thread and a LevelDB open, or the AWS SDK) and its tables are checked meanwhile, and
 * record calls wait for that. An MCP host's `initialize` and `tools/list` need no store, so a
 * stdio server answers them at once. A data folder in use still fails here, before anything is
 * served (the CLI attaches to the running server instead).
 */
export async function openRuntime(
  config: ServerConfig,
  logger: Logger,
  options: RuntimeOptions = {},
): Promise<OpenedRuntime> {
  const closers: (() => Promise<void>)[] = [];
  try {
    // The contract loads while the record store starts.
    const contractLoading = loadCheckedContract(options.contractPath ?? defaultContractPath());
    contractLoading.catch(() => undefined); // awaited below; avoid an unhandled rejection meanwhile

    const opened = await openRecordClient(config, logger, options);
    closers.push(() => opened.close());
    const ready = opened.client.then(async (client) => {
      if (config.createTables) await ensureTables(client, config.tables);
      return client;
    });
    const client = new AwaitedClient(ready, opened.start);
    if (!options.deferStoreStart) opened.start();

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
    const runtime: Runtime = {
      registry,
      records,
      store,
      tables,
      documents,
      ...(opened.health && { storeHealth: opened.health }),
      close: () => closeAll(closers),
    };
    return { runtime, ready: ready.then(() => undefined), startStore: opened.start };
  } catch (error) {
    await closeAll(closers);
    throw error;
  }
}

interface OpenedRecordClient {
  /** Starts the store (idempotent). */
  start: () => void;
  /** The client once the store has started. */
  client: Promise<ItemClient & TableClient>;
  health?: () => Promise<StoreHealth>;
  /** Closes the store, after its start has settled. */
  close(): Promise<void>;
}

/** Starts the record store in the background; the embedded store's folder lock is taken now. */
async function openRecordClient(
  config: ServerConfig,
  logger: Logger,
  options: RuntimeOptions,
): Promise<OpenedRecordClient> {
  const recordStore = config.recordStore;
  if (recordStore.kind !== 'embedded') {
    // The AWS SDK's import is most of such a start-up: it loads while the first requests are
    // answered.
    const go = trigger();
    const client = go.started.then(() =>
      import('./adapters/aws/dynamodb-client.js').then(({ createDocumentClient }) =>
        createDocumentClient(recordStore),
      ),
    );
    client.catch(() => undefined);
    return {
      start: go.start,
      client,
      close: async () => {
        if (go.isStarted()) (await client.catch(() => undefined))?.destroy();
      },
    };
  }
  // Loaded on demand: the Lambda bundle leaves embedded stores out. The embedded store is
  // reached through its loopback client alone, so a local start never loads the AWS SDK.
  const { startEmbeddedDynamoDb } = await import('./adapters/local/embedded-dynamodb.js');
  const { DataDirLock } = await import('./adapters/local/data-dir-lock.js');
  const lock = options.inMemory ? undefined : DataDirLock.acquire(config.dataDir, 'records');
  const go = trigger();
  const started = go.started
    .then(() =>
      startEmbeddedDynamoDb({
        dataDir: config.dataDir,
        inMemory: options.inMemory ?? false,
        thread: !options.embeddedStoreInThisThread,
        ...(lock && { lock }),
      }),
    )
    .then(async (embedded) => {
      const { LocalDynamoDbClient } = await import('./adapters/local/local-dynamodb-client.js');
      logger.info('embedded record store started', { dataDir: config.dataDir });
      return { embedded, local: new LocalDynamoDbClient(embedded) };
    });
  started.catch(() => undefined);
  return {
    start: go.start,
    client: started.then(({ local }) => local),
    health: () =>
      started.then(
        ({ embedded }) => embedded.health(),
        (error: unknown) => ({
          writable: false,
          reason: `the embedded record store did not start: ${error instanceof Error ? error.message : String(error)}`,
        }),
      ),
    close: async () => {
      // A store never started holds nothing but the folder's lock.
      if (!go.isStarted()) return lock?.release();
      const opened = await started.catch(() => undefined);
      if (!opened) return;
      opened.local.destroy();
      await opened.embedded.close();
    },
  };
}

/** A promise that resolves once `start` is called. */
function trigger(): { started: Promise<void>; start: () => void; isStarted: () => boolean } {
  let start!: () => void;
  let isStarted = false;
  const started = new Promise<void>((resolve) => (start = resolve));
  return {
    started,
    start: () => {
      isStarted = true;
      start();
    },
    isStarted: () => isStarted,
  };
}

async function closeAll(closers: (() => Promise<void>)[]): Promise<void> {
  for (const close of closers.reverse()) await close();
}
