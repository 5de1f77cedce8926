import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { lazyDocuments } from '../../src/document-runtime.js';
import { silentLogger } from '../../src/logger.js';
import { documentTools } from '../../src/tools/documents.js';
import { loadConfig } from '../../src/config.js';
import { defaultContractPath } from '../../src/contract/contract-path.js';
import { loadToolContract } from '../../src/contract/load-contract.js';
import { ConflictError, NotFoundError } from '../../src/errors.js';
import type {
  ListPage,
  ListQuery,
  RecordItem,
  RecordKey,
  RecordStore,
  TableSpec,
} from '../../src/ports/record-store.js';
import { RecordService } from '../../src/records/record-service.js';
import { TableRegistry } from '../../src/records/table-registry.js';
import type { Runtime } from '../../src/runtime.js';
import { ToolRegistry } from '../../src/tool-registry.js';
import { recordTools } from '../../src/tools/records.js';

/**
 * A slow record store: an in-memory map whose writes wait at a gate the test opens. With it a
 * test knows a tool call is in flight (`waitForWriter`) and decides when it ends (`open`),
 * without sleeping. Reads and lists never wait.
 */
export class GatedRecordStore implements RecordStore {
  readonly items = new Map<string, RecordItem>();
  private openGate!: () => void;
  private readonly gate = new Promise<void>((resolve) => (this.openGate = resolve));
  private writerArrived!: () => void;
  private readonly writerWaiting = new Promise<void>((resolve) => (this.writerArrived = resolve));

  /** Resolves once a write is waiting at the gate. */
  waitForWriter(): Promise<void> {
    return this.writerWaiting;
  }

  /** Lets every waiting and future write through. */
  open(): void {
    this.openGate();
  }

  async create(table: TableSpec, item: RecordItem): Promise<RecordItem> {
    await this.pass();
    const id = keyOf(table, item);
    if (this.items.has(id)) throw new ConflictError('exists');
    this.items.set(id, structuredClone(item));
    return item;
  }

  get(table: TableSpec, key: RecordKey): Promise<RecordItem | undefined> {
    return Promise.resolve(this.items.get(keyOf(table, key)));
  }

  async update(table: TableSpec, key: RecordKey, changes: RecordItem): Promise<RecordItem> {
    await this.pass();
    const current = this.items.get(keyOf(table, key));
    if (!current) throw new NotFoundError('missing');
    const next = { ...current, ...changes, version: Number(current.version) + 1 };
    this.items.set(keyOf(table, key), next);
    return next;
  }

  async delete(table: TableSpec, key: RecordKey): Promise<RecordItem> {
    await this.pass();
    const current = this.items.get(keyOf(table, key));
    if (!current) throw new NotFoundError('missing');
    this.items.delete(keyOf(table, key));
    return current;
  }

  list(table: TableSpec, query: ListQuery): Promise<ListPage> {
    const items = [...this.items.entries()]
      .filter(([id]) => id.startsWith(`${table.name}\u0000`))
      .map(([, item]) => item)
      .slice(0, query.limit);
    return Promise.resolve({ items });
  }

  private async pass(): Promise<void> {
    this.writerArrived();
    await this.gate;
  }
}

function keyOf(table: TableSpec, item: Record<string, unknown>): string {
  const parts = [
    item[table.partitionKey.name],
    ...(table.sortKey ? [item[table.sortKey.name]] : []),
  ];
  return `${table.name}\u0000${JSON.stringify(parts)}`;
}

/**
 * The real tools and contract over `store` (a `GatedRecordStore`, or any other), shaped as
 * `createRuntime` returns it: the default tables unless `tables` is given, and the document
 * tools on an embedded index in a temporary folder that `close` deletes.
 */
export async function gatedRuntime(
  store: RecordStore,
  options: { tables?: TableSpec[] } = {},
): Promise<Runtime> {
  const contract = await loadToolContract(defaultContractPath());
  const config = loadConfig({}, { dataDir: mkdtempSync(join(tmpdir(), 'gated-docs-')) });
  const tables = new TableRegistry(options.tables ?? config.tables);
  const records = new RecordService({ tables, store });
  // Document tools are served too (the contract has them); their index opens only if called.
  const documents = lazyDocuments(config, silentLogger);
  const registry = new ToolRegistry(contract, [
    recordTools(records, tables),
    documentTools(documents),
  ]);
  return {
    registry,
    records,
    store,
    tables,
    documents,
    close: async () => {
      await documents.close();
      rmSync(config.dataDir, { recursive: true, force: true });
    },
  };
}
