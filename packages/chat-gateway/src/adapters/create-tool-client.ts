import type { Logger } from 'chatbot-mcp-server/core';
import type { Runtime } from 'chatbot-mcp-server/runtime';
import type { McpConnectionConfig } from '../config.js';
import type { ToolClient } from '../ports/tool-client.js';
import { lambdaTransport } from './aws/lambda-mcp-transport.js';
import { McpToolClient } from './mcp/mcp-tool-client.js';
import { httpTransport, inProcessTransport, stdioTransport } from './mcp/transports.js';

/** The MCP client for the configured connection; in-process needs the embedded runtime. */
export function createToolClient(
  config: McpConnectionConfig,
  deps: { logger: Logger; runtime?: Runtime; env?: Record<string, string | undefined> },
): ToolClient {
  const { logger } = deps;
  switch (config.kind) {
    case 'in-process':
      if (!deps.runtime) throw new Error('in-process MCP needs the runtime');
      return new McpToolClient({
        connect: inProcessTransport(deps.runtime, logger),
        name: 'in-process',
        logger,
      });
    case 'stdio': {
      const env = Object.fromEntries(
        Object.entries(deps.env ?? process.env).filter(
          (e): e is [string, string] => e[1] !== undefined,
        ),
      );
      return new McpToolClient({
        connect: stdioTransport(config.command, config.args, env),
        name: 'stdio',
        logger,
      });
    }
    case 'http':
      return new McpToolClient({
        connect: httpTransport(config.url, config.token),
        name: 'http',
        logger,
      });
    case 'lambda':
      return new McpToolClient({ connect: lambdaTransport(config), name: 'lambda', logger });
  }
}
