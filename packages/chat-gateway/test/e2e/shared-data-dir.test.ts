import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { silentLogger } from 'chatbot-mcp-server/core';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  startLocalGateway,
  type LocalGateway,
} from '../../src/transports/local/start-local-gateway.js';

const MCP_CLI = new URL('../../../mcp-server/dist/cli.js', import.meta.url).pathname;

let dataDir: string;
const closers: (() => Promise<void>)[] = [];

/** `chatbot-mcp-server` over stdio on the same folder, as Claude Desktop starts it. */
async function stdioServer(): Promise<{ client: Client; stderr: () => string; pid: number }> {
  const transport = new StdioClientTransport({
    command: process.execPath,
    args: [MCP_CLI, '--data-dir', dataDir],
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? tmpdir() },
    stderr: 'pipe',
  });
  let stderr = '';
  transport.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
  const client = new Client({ name: 'claude-desktop-stand-in', version: '0' });
  await client.connect(transport);
  closers.push(() => client.close());
  return { client, stderr: () => stderr, pid: transport.pid ?? 0 };
}

async function gateway(): Promise<LocalGateway> {
  const gw = await startLocalGateway({
    env: { LOG_LEVEL: 'error' },
    dataDir,
    port: '0',
    logger: silentLogger,
    webRoot: false,
    cleanupIntervalMs: false,
    warmUp: false,
  });
  closers.push(() => gw.close());
  return gw;
}

async function call(client: Client, name: string, args: Record<string, unknown>) {
  const result = (await client.callTool({ name, arguments: args })) as CallToolResult;
  expect(result.isError ?? false, JSON.stringify(result.content)).toBe(false);
  return result.structuredContent as Record<string, unknown>;
}

async function eventually(check: () => void, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      return check();
    } catch (error) {
      if (Date.now() > deadline) throw error;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
}

const QUOKKAS = '# Quokkas\n\nQuokkas live on Rottnest Island and are active at night.';

beforeEach(() => {
  dataDir = mkdtempSync(join(tmpdir(), 'gw-shared-'));
});
afterEach(async () => {
  for (const close of closers.splice(0).reverse()) await close().catch(() => undefined);
  rmSync(dataDir, { recursive: true, force: true });
});

describe('the web chat and Claude Desktop on one data directory', () => {
  it('a stdio server started while the gateway runs uses the gateway’s records and documents', async () => {
    const gw = await gateway();
    const desktop = await stdioServer();
    expect(desktop.stderr()).toContain(`attached to pid ${process.pid} at`);

    const created = await gw.tools.callTool('create_record', {
      table: 'notes',
      data: { text: 'from the web chat' },
    });
    expect(created.isError).toBe(false);
    const { record } = created.structured as { record: { id: string } };
    expect(
      await call(desktop.client, 'read_record', { table: 'notes', record_id: record.id }),
    ).toEqual({ record });

    await call(desktop.client, 'ingest_document', {
      source: 'desktop/quokkas.md',
      content: QUOKKAS,
    });
    const found = await gw.tools.callTool('search_documents', { query: 'where do quokkas live' });
    const { results } = found.structured as { results: { source: string }[] };
    expect(results[0]?.source).toBe('desktop/quokkas.md');

    // `pnpm stop`: the stdio server takes the folder over and keeps serving the same data.
    await closers.shift()!();
    await eventually(() => expect(desktop.stderr()).toContain('took over'));
    expect(
      await call(desktop.client, 'read_record', { table: 'notes', record_id: record.id }),
    ).toEqual({ record });
  }, 120_000);

  it('a gateway started while a stdio server holds the folder uses that server’s tools', async () => {
    const desktop = await stdioServer();
    const { record } = (await call(desktop.client, 'create_record', {
      table: 'notes',
      data: { text: 'from Claude Desktop' },
    })) as { record: { id: string } };
    await call(desktop.client, 'ingest_document', {
      source: 'desktop/quokkas.md',
      content: QUOKKAS,
    });

    const gw = await gateway();
    const read = await gw.tools.callTool('read_record', { table: 'notes', record_id: record.id });
    expect(read.structured).toEqual({ record });
    const found = await gw.tools.callTool('search_documents', { query: 'quokkas Rottnest' });
    expect((found.structured as { results: { source: string }[] }).results[0]?.source).toBe(
      'desktop/quokkas.md',
    );
    // The chat's own tables live beside the folder while it is held by another process.
    expect(existsSync(join(dataDir, 'chat', 'records.lock'))).toBe(true);
  }, 120_000);
});
