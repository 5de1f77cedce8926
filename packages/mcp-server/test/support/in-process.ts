import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { InMemoryTransport } from '@modelcontextprotocol/sdk/inMemory.js';
import { loadConfig } from '../../src/config.js';
import { silentLogger, type Logger } from '../../src/logger.js';
import { createRuntime, type Runtime } from '../../src/runtime.js';
import { createMcpServer } from '../../src/server.js';
import type { ToolRegistry } from '../../src/tool-registry.js';

/** An SDK client connected to the server in this process. */
export interface ConnectedClient {
  client: Client;
  close(): Promise<void>;
}

export interface InProcessServer extends ConnectedClient {
  runtime: Runtime;
}

export interface InProcessOptions {
  /** Stands in for process.env; the real environment is never read. */
  env?: Record<string, string | undefined>;
  logger?: Logger;
}

/**
 * The whole server as the CLI builds it (config, embedded dynalite in memory, tools), reached
 * through an SDK `Client` over `InMemoryTransport` instead of stdio.
 */
export async function startInProcess(options: InProcessOptions = {}): Promise<InProcessServer> {
  const dataDir = await mkdtemp(join(tmpdir(), 'mcp-int-'));
  let runtime: Runtime | undefined;
  try {
    runtime = await createRuntime(loadConfig(options.env ?? {}, { dataDir }), silentLogger, {
      inMemory: true,
    });
    const connected = await connectClient(runtime.registry, options.logger);
    const started = runtime;
    return {
      client: connected.client,
      runtime: started,
      close: async () => {
        await connected.close();
        await started.close();
        await rm(dataDir, { recursive: true, force: true });
      },
    };
  } catch (error) {
    await runtime?.close();
    await rm(dataDir, { recursive: true, force: true });
    throw error;
  }
}

/** Connects `createMcpServer({ registry })` to a fresh SDK client through a linked in-memory pair. */
export async function connectClient(
  registry: ToolRegistry,
  logger?: Logger,
): Promise<ConnectedClient> {
  const server = createMcpServer({ registry, ...(logger && { logger }) });
  const client = new Client({ name: 'integration-test', version: '0.0.0' });
  const [clientTransport, serverTransport] = InMemoryTransport.createLinkedPair();
  await server.connect(serverTransport);
  await client.connect(clientTransport);
  return {
    client,
    close: async () => {
      await client.close();
      await server.close();
    },
  };
}
