import type { Transport } from '@modelcontextprotocol/sdk/shared/transport.js';
import type { Logger } from 'chatbot-mcp-server/core';
import type { Runtime } from 'chatbot-mcp-server/runtime';

// Each transport loads its part of the MCP SDK when it first connects: a gateway uses one, and
// start-up need not pay for any of them.

/** The MCP server in this process: no serialisation across processes, same tools and checks. */
export function inProcessTransport(runtime: Runtime, logger: Logger): () => Promise<Transport> {
  return async () => {
    const [{ InMemoryTransport }, { createMcpServer }] = await Promise.all([
      import('@modelcontextprotocol/sdk/inMemory.js'),
      import('chatbot-mcp-server/server'),
    ]);
    const [client, server] = InMemoryTransport.createLinkedPair();
    await createMcpServer({ registry: runtime.registry, logger }).connect(server);
    return client;
  };
}

/** `chatbot-mcp-server` as a child process over stdio; its stderr (JSON logs) is passed on. */
export function stdioTransport(
  command: string,
  args: string[],
  env: Record<string, string>,
): () => Promise<Transport> {
  return async () => {
    const { StdioClientTransport } = await import('@modelcontextprotocol/sdk/client/stdio.js');
    return new StdioClientTransport({ command, args, env, stderr: 'inherit' });
  };
}

/** A remote MCP server over Streamable HTTP, with its bearer token. */
export function httpTransport(url: string, token?: string): () => Promise<Transport> {
  return async () => {
    const { StreamableHTTPClientTransport } =
      await import('@modelcontextprotocol/sdk/client/streamableHttp.js');
    return new StreamableHTTPClientTransport(new URL(url), {
      ...(token && { requestInit: { headers: { Authorization: `Bearer ${token}` } } }),
    });
  };
}
