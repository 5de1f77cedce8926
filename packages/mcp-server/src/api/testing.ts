/**
 * `chatbot-mcp-server/testing`: the whole server in-process for a project's own tests. One call
 * starts it on a temporary data folder, seeds tables, records and documents, and returns a
 * connected MCP SDK `Client`; `close` stops it and removes the folder.
 *
 * ```ts
 * const { client, close } = await startTestServer({
 *   documents: [{ source: 'guides/setup.md', content: '# Setup\n\nRun the installer.' }],
 *   records: { notes: [{ id: 'n1', title: 'First' }] },
 * });
 * const result = await client.callTool({ name: 'search_documents', arguments: { query: 'setup' } });
 * await close();
 * ```
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { InMemoryTransport } from '@modelcontextprotocol/sdk/inMemory.js';
import { loadConfig } from '../config.js';
import { silentLogger, type Logger } from '../logger.js';
import type { RecordItem } from '../ports/record-store.js';
import { createRuntime, type Runtime } from '../runtime.js';
import { createMcpServer } from '../server.js';

type KeyEntry = string | { name: string; type?: 'S' | 'N' };

/** One table as a tables file describes it (see the README); `name` defaults to `test-<alias>`. */
export interface TestTable {
  name?: string;
  partitionKey: KeyEntry;
  sortKey?: KeyEntry;
  access?: 'read-write' | 'read-only';
  ttlAttribute?: string;
}

export interface TestDocument {
  source: string;
  content: string;
  title?: string;
  /** text/markdown (default), text/plain or text/html. */
  contentType?: string;
  metadata?: Record<string, string | number | boolean>;
}

export interface TestServerOptions {
  /** The tables, by alias; without it the default tables (sessions, conversations, analytics, notes). */
  tables?: Record<string, TestTable>;
  /** Ingested before the client connects. */
  documents?: readonly TestDocument[];
  /** Records to create, by table alias (read-only tables are seeded too). */
  records?: Record<string, readonly RecordItem[]>;
  /** Serve only the read tools, as `--read-only` does. */
  readOnly?: boolean;
  /** Serve only these tools, as MCP_ENABLED_TOOLS does. */
  enabledTools?: readonly string[];
  /** The server's log (default: silent). */
  logger?: Logger;
}

export interface TestServer {
  /** An MCP SDK client, connected (initialize done). */
  client: Client;
  /** The temporary data folder (removed by `close`). */
  dataDir: string;
  /** Closes the client and the server and removes the data folder (safe to destructure). */
  close(this: void): Promise<void>;
}

/** Starts the server in this process and connects a client to it through an in-memory pair. */
export async function startTestServer(options: TestServerOptions = {}): Promise<TestServer> {
  const dataDir = await mkdtemp(join(tmpdir(), 'chatbot-mcp-test-'));
  let runtime: Runtime | undefined;
  try {
    const env: Record<string, string> = {};
    if (options.readOnly) env.MCP_READ_ONLY = 'true';
    if (options.enabledTools) env.MCP_ENABLED_TOOLS = options.enabledTools.join(',');
    let configFile: string | undefined;
    if (options.tables) {
      configFile = join(dataDir, 'tables.json');
      const tables = Object.fromEntries(
        Object.entries(options.tables).map(([alias, t]) => [
          alias,
          { name: `test-${alias}`, ...t },
        ]),
      );
      await writeFile(configFile, JSON.stringify({ tables }));
    }
    const config = loadConfig(env, { dataDir, ...(configFile && { configFile }) });
    // The store is served from this thread, as the stdio CLI serves it: a worker thread would
    // boot its own Node instance and load the store's modules again, most of a start here
    // (about 0.55 -> 0.25 s per server on a busy 2-core machine).
    runtime = await createRuntime(config, options.logger ?? silentLogger, {
      inMemory: true,
      embeddedStoreInThisThread: true,
    });
    await seed(runtime, options);

    const server = createMcpServer({
      registry: runtime.registry,
      ...(options.logger && { logger: options.logger }),
    });
    const client = new Client({ name: 'chatbot-mcp-server/testing', version: '0.0.0' });
    const [clientTransport, serverTransport] = InMemoryTransport.createLinkedPair();
    await server.connect(serverTransport);
    await client.connect(clientTransport);
    const started = runtime;
    return {
      client,
      dataDir,
      close: async () => {
        await client.close();
        await server.close();
        await started.close();
        await rm(dataDir, { recursive: true, force: true, maxRetries: 3 });
      },
    };
  } catch (error) {
    await runtime?.close();
    await rm(dataDir, { recursive: true, force: true, maxRetries: 3 });
    throw error;
  }
}

async function seed(runtime: Runtime, options: TestServerOptions): Promise<void> {
  for (const [alias, items] of Object.entries(options.records ?? {})) {
    const table = runtime.tables.resolve(alias);
    for (const item of items) {
      if (table.access === 'read-write') await runtime.records.create(alias, item);
      // The tools never write a read-only table; a test still needs rows in it.
      else
        await runtime.store.create(table, {
          created_at: new Date().toISOString(),
          version: 1,
          ...item,
        });
    }
  }
  if (options.documents && options.documents.length > 0) {
    const service = await runtime.documents.get();
    await service.ingestMany(
      options.documents.map((d) => ({
        source: d.source,
        content: d.content,
        contentType: d.contentType ?? 'text/markdown',
        ...(d.title !== undefined && { title: d.title }),
        ...(d.metadata !== undefined && { metadata: d.metadata }),
      })),
    );
  }
}
