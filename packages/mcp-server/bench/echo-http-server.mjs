// The HTTP baseline for `pnpm bench`: a bare MCP SDK server with one trivial tool over stateless
// Streamable HTTP, as the SDK's stateless example does it (a fresh McpServer and transport per
// request, no session ids), with JSON responses instead of SSE. Plain JS, plain node:http.
// Listens on 127.0.0.1 and a free port; logs its URL on stderr as the real server does.
import { createServer } from 'node:http';
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js';
import { z } from 'zod';

function getServer() {
  const server = new McpServer({ name: 'bench-echo-http', version: '0.0.0' });
  server.registerTool(
    'echo',
    { description: 'Returns its input.', inputSchema: { text: z.string() } },
    ({ text }) => ({ content: [{ type: 'text', text }] }),
  );
  return server;
}

async function readJson(req) {
  const chunks = [];
  for await (const chunk of req) chunks.push(chunk);
  return JSON.parse(Buffer.concat(chunks).toString('utf8'));
}

function jsonRpcError(res, status, code, message) {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify({ jsonrpc: '2.0', error: { code, message }, id: null }));
}

const http = createServer(async (req, res) => {
  if (req.url !== '/mcp') return jsonRpcError(res, 404, -32000, 'Not found.');
  if (req.method !== 'POST') return jsonRpcError(res, 405, -32000, 'Method not allowed.');
  let body;
  try {
    body = await readJson(req);
  } catch {
    return jsonRpcError(res, 400, -32700, 'Parse error');
  }
  const server = getServer();
  try {
    const transport = new StreamableHTTPServerTransport({
      sessionIdGenerator: undefined,
      enableJsonResponse: true,
    });
    await server.connect(transport);
    await transport.handleRequest(req, res, body);
    res.on('close', () => {
      void transport.close();
      void server.close();
    });
  } catch (error) {
    process.stderr.write(`${JSON.stringify({ level: 'error', msg: String(error) })}\n`);
    if (!res.headersSent) jsonRpcError(res, 500, -32603, 'Internal server error');
  }
});

http.listen(0, '127.0.0.1', () => {
  const { port } = http.address();
  const url = `http://127.0.0.1:${port}/mcp`;
  process.stderr.write(`${JSON.stringify({ level: 'info', msg: 'serving MCP over HTTP', url })}\n`);
});
process.once('SIGTERM', () => http.close(() => process.exit(0)));
