import { InMemoryTransport } from '@modelcontextprotocol/sdk/inMemory.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import type { Transport } from '@modelcontextprotocol/sdk/shared/transport.js';
import type { Logger } from 'chatbot-mcp-server/core';
import type { Runtime } from 'chatbot-mcp-server/runtime';
import { createMcpServer } from 'chatbot-mcp-server/runtime';

/** The MCP server in this process: no serialisation across processes, same tools and checks. */
export function inProcessTransport(runtime: Runtime, logger: Logger): () => Promise<Transport> {
  return async () => {
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
  return () => Promise.resolve(new StdioClientTransport({ command, args, env, stderr: 'inherit' }));
}

/** A remote MCP server over Streamable HTTP, with its bearer token. */
export function httpTransport(url: string, token?: string): () => Promise<Transport> {
  return () =>
    Promise.resolve(
      new StreamableHTTPClientTransport(new URL(url), {
        ...(token && { requestInit: { headers: { Authorization: `Bearer ${token}` } } }),
      }),
    );
}
