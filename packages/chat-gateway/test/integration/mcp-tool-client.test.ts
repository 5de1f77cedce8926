import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { InMemoryTransport } from '@modelcontextprotocol/sdk/inMemory.js';
import { Server } from '@modelcontextprotocol/sdk/server/index.js';
import { CallToolRequestSchema, ListToolsRequestSchema } from '@modelcontextprotocol/sdk/types.js';
import { silentLogger } from 'chatbot-mcp-server/core';
import { afterAll, describe, expect, it } from 'vitest';
import { McpToolClient } from '../../src/adapters/mcp/mcp-tool-client.js';
import { httpTransport } from '../../src/adapters/mcp/transports.js';
import { McpToolError } from '../../src/errors.js';
import { startHttpCli } from '../../../mcp-server/test/support/http-cli.js';

const MCP_CLI = new URL('../../../mcp-server/dist/cli.js', import.meta.url).pathname;
const dirs: string[] = [];
const tempDir = (): string => {
  const dir = mkdtempSync(join(tmpdir(), 'mcp-client-'));
  dirs.push(dir);
  return dir;
};
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

describe('MCP tool client faults', () => {
  it('a stdio MCP server killed mid-call: the call fails retryable, the next one restarts the child', async () => {
    const dataDir = tempDir();
    const transports: StdioClientTransport[] = [];
    const client = new McpToolClient({
      name: 'stdio',
      logger: silentLogger,
      baseDelayMs: 10,
      connect: () => {
        const t = new StdioClientTransport({
          command: process.execPath,
          args: [MCP_CLI, '--data-dir', dataDir],
          stderr: 'ignore',
        });
        transports.push(t);
        return Promise.resolve(t);
      },
    });
    try {
      expect(
        (
          await client.callTool('create_record', {
            table: 'notes',
            data: { id: 'k1', title: 'before' },
          })
        ).isError,
      ).toBe(false);
      const pending = client.callTool('list_records', { table: 'notes' });
      process.kill(transports[0]!.pid!, 'SIGKILL');
      const error = await pending.then(
        () => undefined,
        (e: unknown) => e,
      );
      // The call either finished before the kill landed, or failed as a retryable tool error.
      if (error !== undefined) {
        expect(error).toBeInstanceOf(McpToolError);
        expect((error as McpToolError).retryable).toBe(true);
      }
      await new Promise((r) => setTimeout(r, 200));
      const after = await client.callTool('read_record', { table: 'notes', record_id: 'k1' });
      expect(after.isError).toBe(false);
      expect(transports).toHaveLength(2);
    } finally {
      await client.close();
    }
  }, 60_000);

  it('an HTTP MCP endpoint that is down: a clear retryable error, then it works once the server is up', async () => {
    const port = await freePort();
    const client = new McpToolClient({
      name: 'http',
      logger: silentLogger,
      baseDelayMs: 10,
      connect: httpTransport(`http://127.0.0.1:${port}/mcp`),
    });
    const down = await client.callTool('list_records', { table: 'notes' }).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(down).toBeInstanceOf(McpToolError);
    expect((down as McpToolError).message).toMatch(/cannot reach the MCP server \(http\)/);
    const server = await startHttpCli(['--port', String(port), '--data-dir', tempDir()]);
    try {
      await server.waitForLog('serving MCP over HTTP').catch(() => undefined);
      const up = await client.callTool('list_records', { table: 'notes' });
      expect(up.isError).toBe(false);
    } finally {
      await client.close();
      await server.kill();
    }
  }, 60_000);

  it('a tool that hangs past its timeout ends with a retryable MCP_TOOL_ERROR', async () => {
    const client = new McpToolClient({
      name: 'in-memory',
      logger: silentLogger,
      connect: async () => {
        const [clientSide, serverSide] = InMemoryTransport.createLinkedPair();
        const server = new Server({ name: 'hang', version: '1' }, { capabilities: { tools: {} } });
        server.setRequestHandler(ListToolsRequestSchema, () => ({
          tools: [{ name: 'hang', inputSchema: { type: 'object' } }],
        }));
        server.setRequestHandler(CallToolRequestSchema, () => new Promise(() => undefined));
        await server.connect(serverSide);
        return clientSide;
      },
    });
    const started = Date.now();
    const error = await client.callTool('hang', {}, { timeoutMs: 300 }).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(McpToolError);
    expect((error as McpToolError).code).toBe('MCP_TOOL_ERROR');
    expect((error as McpToolError).message).toMatch(/did not answer within/);
    expect(Date.now() - started).toBeLessThan(5_000);
    await client.close();
  });
});

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });
}
