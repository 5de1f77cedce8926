// The baseline for `pnpm bench`: a bare MCP SDK server with one trivial tool, in plain JS so
// that its start-up time is not distorted by a TypeScript loader. Its read_record returns a
// fixed record shaped as the real server's answer (structured content and the same text), so
// the real read_record can be compared with a bare tool that sends the same bytes.
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { StdioServerTransport } from '@modelcontextprotocol/sdk/server/stdio.js';
import { z } from 'zod';

const server = new McpServer({ name: 'bench-echo', version: '0.0.0' });

server.registerTool(
  'echo',
  { description: 'Returns its input.', inputSchema: { text: z.string() } },
  ({ text }) => ({ content: [{ type: 'text', text }] }),
);

const record = {
  userId: 'user-1',
  title: 'bench record 1',
  turns: 1,
  tags: ['bench'],
  sessionId: '0b7e5a36-5c3f-4f7e-9d8a-2a4c1e3f5b6d',
  createdAt: '2026-01-01T00:00:00.000Z',
  updatedAt: '2026-01-01T00:00:00.000Z',
  version: 1,
};
server.registerTool(
  'read_record',
  {
    description: 'Returns a fixed record.',
    inputSchema: { table: z.string(), record_id: z.string() },
  },
  ({ table }) => ({
    content: [{ type: 'text', text: `Record from ${table}:\n${JSON.stringify(record, null, 2)}` }],
    structuredContent: { record },
  }),
);

await server.connect(new StdioServerTransport());
