import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { afterAll, describe, expect, it } from 'vitest';

/** `--config examples/tables.example.yaml`, as the README shows it, with both bins. */

const EXAMPLE = new URL('../../../../examples/tables.example.yaml', import.meta.url).pathname;
const GATEWAY_BIN = new URL('../../bin/chatbot-gateway.mjs', import.meta.url).pathname;
const MCP_BIN = new URL('../../../mcp-server/bin/chatbot-mcp-server.mjs', import.meta.url).pathname;

const root = mkdtempSync(join(tmpdir(), 'gw-tables-example-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
const env = { PATH: process.env.PATH ?? '', HOME: root, LOG_LEVEL: 'warn' };

describe('examples/tables.example.yaml', () => {
  it('chatbot-gateway --config starts with it, serves the page, stops cleanly', async () => {
    const child = spawn(
      process.execPath,
      [GATEWAY_BIN, '--config', EXAMPLE, '--port', '0', '--data-dir', join(root, 'gw')],
      { env, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let stdout = '';
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
    const exited = new Promise<number | null>((resolve) => child.on('close', resolve));
    const url = await new Promise<string>((resolve, reject) => {
      child.stdout.on('data', (chunk: Buffer) => {
        stdout += chunk.toString('utf8');
        const match = /open (http:\/\/\S+)\/ in a browser/.exec(stdout);
        if (match) resolve(match[1]!);
      });
      void exited.then((code) => reject(new Error(`exited with ${code}:\n${stderr}`)));
    });
    const health = await fetch(`${url}/healthz`);
    expect(health.status).toBe(200);
    child.kill('SIGTERM');
    expect(await exited).toBe(0);
    expect(stderr).not.toMatch(/needs the tables|"level":"error"/);
  }, 120_000);

  it('chatbot-mcp-server --config exposes exactly its tables', async () => {
    const transport = new StdioClientTransport({
      command: process.execPath,
      args: [MCP_BIN, '--config', EXAMPLE, '--data-dir', join(root, 'mcp')],
      env,
      stderr: 'pipe',
    });
    const client = new Client({ name: 'tables-example-test', version: '0.0.0' });
    await client.connect(transport);
    try {
      const { tools } = await client.listTools();
      const listRecords = tools.find((t) => t.name === 'list_records');
      expect(listRecords?.description).toMatch(
        /Tables: sessions \(key: sessionId\); conversations \(key: sessionId \+ messageId\); notes \(key: id\); metrics \(key: day \+ seq, read-only\); todos \(key: id, each user's own records\)\.$/,
      );
    } finally {
      await client.close();
    }
  }, 120_000);
});
