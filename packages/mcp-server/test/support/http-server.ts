import { loadConfig, loadHttpConfig, type HttpServerConfig } from '../../src/config.js';
import { silentLogger, type Logger } from '../../src/logger.js';
import type { RecordItem } from '../../src/ports/record-store.js';
import type { RecordService } from '../../src/records/record-service.js';
import { createRuntime, type Runtime } from '../../src/runtime.js';
import { startHttpServer, type RunningHttpServer } from '../../src/transports/http.js';
import { makeTempDir, removeDir } from './cli-process.js';

export interface TestHttpServer extends RunningHttpServer {
  runtime: Runtime;
  /** `http://127.0.0.1:<port>` without the /mcp path. */
  origin: string;
}

export interface TestHttpServerOptions {
  /** HTTP settings as environment variables (MCP_AUTH_TOKEN, MCP_ALLOWED_ORIGINS, ...). */
  env?: Record<string, string>;
  logger?: Logger;
  /** Serve this runtime (not closed here) instead of a fresh in-memory one. */
  runtime?: Runtime;
  /** Settings over those from `env` (short timeouts, a small connection cap). */
  http?: Partial<HttpServerConfig>;
}

/**
 * `startHttpServer` on 127.0.0.1, port 0, in front of a runtime built as the CLI builds it
 * (embedded dynalite, in memory). `close` stops the server, then the runtime it made.
 */
export async function startTestHttpServer(
  options: TestHttpServerOptions = {},
): Promise<TestHttpServer> {
  const logger = options.logger ?? silentLogger;
  let dataDir: string | undefined;
  let runtime = options.runtime;
  if (!runtime) {
    dataDir = await makeTempDir('mcp-http');
    runtime = await createRuntime(loadConfig({}, { dataDir }), logger, { inMemory: true });
  }
  const owned = options.runtime ? undefined : runtime;
  try {
    const running = await startHttpServer(runtime, logger, {
      ...loadHttpConfig(options.env ?? {}, { port: '0' }),
      ...options.http,
    });
    return {
      ...running,
      runtime,
      origin: new URL(running.url).origin,
      close: async () => {
        await running.close();
        await owned?.close();
        await removeDir(dataDir);
      },
    };
  } catch (error) {
    await owned?.close();
    await removeDir(dataDir);
    throw error;
  }
}

export const TABLE_ALIASES = loadConfig({}, { dataDir: '/nonexistent' }).tables.map((t) => t.alias);

/** Every record of every table, read through the service (not through HTTP), in a stable order. */
export async function snapshotStore(records: RecordService): Promise<Record<string, RecordItem[]>> {
  const snapshot: Record<string, RecordItem[]> = {};
  for (const alias of TABLE_ALIASES) {
    const items: RecordItem[] = [];
    let cursor: string | undefined;
    do {
      const page = await records.list(alias, { limit: 100, ...(cursor && { cursor }) });
      items.push(...page.items);
      cursor = page.cursor;
    } while (cursor);
    snapshot[alias] = items.sort((a, b) => JSON.stringify(a).localeCompare(JSON.stringify(b)));
  }
  return snapshot;
}
