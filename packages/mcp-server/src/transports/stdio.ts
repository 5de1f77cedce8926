import { StdioServerTransport } from '@modelcontextprotocol/sdk/server/stdio.js';
import type { Logger } from '../logger.js';
import type { Runtime } from '../runtime.js';
import { createMcpServer } from '../server.js';

/** Serves MCP over stdin/stdout until stdin closes or a signal arrives. */
export async function serveStdio(runtime: Runtime, logger: Logger): Promise<void> {
  const server = createMcpServer({ registry: runtime.registry, logger });
  // The SDK reports here lines that are not JSON-RPC (and ignores them) and a line over its
  // 10 MiB buffer (and ends the session); without this the server would exit without saying why.
  server.onerror = (error) =>
    logger.warn('stdio: unreadable input', { message: error.message.slice(0, 200) });
  const transport = new StdioServerTransport();
  const closed = new Promise<void>((resolve) => {
    transport.onclose = resolve;
    process.stdin.once('end', resolve);
    process.once('SIGINT', resolve);
    process.once('SIGTERM', resolve);
  });
  await server.connect(transport);
  logger.info('serving MCP on stdio', { tools: runtime.registry.definitions.length });
  await closed;
  await server.close();
}
