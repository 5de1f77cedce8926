import { StdioServerTransport } from '@modelcontextprotocol/sdk/server/stdio.js';
import { STDIO_DEFAULT_MAX_BUFFER_SIZE } from '@modelcontextprotocol/sdk/shared/stdio.js';
import type { Logger } from '../logger.js';
import type { Runtime } from '../runtime.js';
import { createMcpServer } from '../server.js';
import { BoundedLines } from './bounded-lines.js';

export interface StdioOptions {
  /**
   * Called once, right after the host's first request past the handshake (`initialize`, `ping`)
   * has been dispatched: the CLI starts its record store then (see `deferStoreStart`).
   */
  afterHandshake?: () => void;
}

/** Serves MCP over stdin/stdout until stdin closes or a signal arrives. */
export async function serveStdio(
  runtime: Runtime,
  logger: Logger,
  options: StdioOptions = {},
): Promise<void> {
  const server = createMcpServer({ registry: runtime.registry, logger });
  // The SDK reports here lines that are not JSON-RPC (and ignores them).
  server.onerror = (error) =>
    logger.warn('stdio: unreadable input', { message: error.message.slice(0, 200) });
  const input = process.stdin.pipe(
    new BoundedLines(STDIO_DEFAULT_MAX_BUFFER_SIZE, (bytes) =>
      logger.warn('stdio: dropped a line over the size limit', {
        bytes,
        limit: STDIO_DEFAULT_MAX_BUFFER_SIZE,
      }),
    ),
  );
  const transport = new StdioServerTransport(input);
  const closed = new Promise<void>((resolve) => {
    transport.onclose = resolve;
    input.once('end', resolve);
    process.once('SIGINT', resolve);
    process.once('SIGTERM', resolve);
  });
  await server.connect(transport);
  const { afterHandshake } = options;
  const dispatch = transport.onmessage;
  if (afterHandshake && dispatch) {
    let called = false;
    transport.onmessage = (message) => {
      dispatch(message);
      const method = (message as { method?: unknown }).method;
      if (called || !('id' in message) || method === 'initialize' || method === 'ping') return;
      called = true;
      // After this turn's microtasks: the answer to this request has been written by then.
      setImmediate(afterHandshake);
    };
  }
  logger.info('serving MCP on stdio', { tools: runtime.registry.definitions.length });
  await closed;
  await server.close();
}
