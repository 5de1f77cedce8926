import type { Transport } from '@modelcontextprotocol/sdk/shared/transport.js';
import type { Logger, ServerConfig } from 'chatbot-mcp-server/core';
import { McpToolClient } from '../adapters/mcp/mcp-tool-client.js';
import type { ToolClient } from '../ports/tool-client.js';

export interface AttachedTools {
  tools: ToolClient;
  close(): Promise<void>;
}

/**
 * The gateway started while another process (a `chatbot-mcp-server` for Claude Desktop) holds
 * the data directory: the tools come from that holder over its socket, and, should it stop,
 * from this process, which then takes the folder over (the next call reconnects). Fails like
 * the in-process start would when the holder does not share the folder.
 */
export async function attachToDataDir(options: {
  mcpConfig: ServerConfig;
  logger: Logger;
}): Promise<AttachedTools> {
  const { mcpConfig, logger } = options;
  const [{ openBackend }, { createRuntime }] = await Promise.all([
    import('chatbot-mcp-server/server'),
    import('chatbot-mcp-server/runtime'),
  ]);
  type Backend = Awaited<ReturnType<typeof openBackend>>;
  let current: Backend | undefined;
  const connect = async (): Promise<Transport> => {
    const backend = await openBackend({
      dataDir: mcpConfig.dataDir,
      logger,
      waitMs: 10_000,
      openRuntime: () => createRuntime(mcpConfig, logger),
    });
    await current?.close().catch(() => undefined); // the one whose connection died
    current = backend;
    logger.info(backend.notice, { pid: backend.pid });
    return backend.transport;
  };
  // Connected now, so that a holder which does not answer fails the start with its reason.
  let first: Transport | undefined = await connect();
  const tools = new McpToolClient({
    connect: () => {
      const ready = first;
      first = undefined;
      return ready ? Promise.resolve(ready) : connect();
    },
    name: 'attached',
    logger,
  });
  return {
    tools,
    close: async () => {
      await tools.close();
      await current?.close();
    },
  };
}
