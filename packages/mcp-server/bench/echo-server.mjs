// The baseline for `pnpm bench`: a bare MCP SDK server with one trivial tool, in plain JS so
// that its start-up time is not distorted by a TypeScript loader.
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { StdioServerTransport } from '@modelcontextprotocol/sdk/server/stdio.js';
import { z } from 'zod';

const server = new McpServer({ name: 'bench-echo', version: '0.0.0' });

server.registerTool(
  'echo',
  { description: 'Returns its input.', inputSchema: { text: z.string() } },
  ({ text }) => ({ content: [{ type: 'text', text }] }),
);

await server.connect(new StdioServerTransport());
