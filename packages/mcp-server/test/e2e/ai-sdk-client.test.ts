import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { createMCPClient, type MCPClient } from '@ai-sdk/mcp';
import { Experimental_StdioMCPTransport } from '@ai-sdk/mcp/mcp-stdio';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { assertBuilt, childEnv, CLI_PATH, makeTempDir, removeDir } from '../support/cli-process.js';

/** An independent MCP client implementation (Vercel AI SDK), not the one the server is built on. */

interface ToolResult {
  isError?: boolean;
  content: { type: string; text?: string }[];
  structuredContent?: unknown;
}

const toolContext = { toolCallId: 'call-1', messages: [] };
const RECORD_TOOLS = [
  'create_record',
  'read_record',
  'update_record',
  'delete_record',
  'list_records',
];

let dataDir: string;
let client: MCPClient;
const uncaught: unknown[] = [];

beforeAll(async () => {
  assertBuilt();
  dataDir = await makeTempDir('mcp-ai-sdk');
  client = await createMCPClient({
    transport: new Experimental_StdioMCPTransport({
      command: process.execPath,
      args: [CLI_PATH, '--data-dir', dataDir],
      env: childEnv(),
      stderr: 'ignore',
    }),
    clientName: 'ai-sdk-e2e',
    onUncaughtError: (error) => uncaught.push(error),
  });
});

afterAll(async () => {
  await client.close();
  // This transport aborts the child without waiting; the server releases its lock file on exit.
  const lock = join(dataDir, 'records.lock');
  for (let i = 0; i < 50 && existsSync(lock); i++) await sleep(100);
  await removeDir(dataDir);
});

describe('@ai-sdk/mcp over stdio against node dist/cli.js', () => {
  it('sees the server and its record tools', async () => {
    expect(client.serverInfo.name).toBe('chatbot-mcp-server');
    expect(client.instructions).toContain('VALIDATION');
    const { tools } = await client.listTools();
    expect(tools.map((t) => t.name)).toEqual(expect.arrayContaining(RECORD_TOOLS));
    const read = tools.find((t) => t.name === 'read_record');
    expect(read?.inputSchema).toMatchObject({ type: 'object', required: ['table'] });
    expect(read?.annotations).toMatchObject({ readOnlyHint: true, destructiveHint: false });
  });

  it('creates and reads back a record through AI SDK tools', async () => {
    const tools = await client.tools();
    const create = tools.create_record;
    const read = tools.read_record;
    expect(create && read).toBeTruthy();
    if (!create || !read) return;

    const created = (await create.execute(
      { table: 'sessions', data: { topic: 'from the AI SDK', turns: 3 } },
      toolContext,
    )) as ToolResult;
    expect(created.isError ?? false).toBe(false);
    const record = (created.structuredContent as { record: Record<string, unknown> }).record;
    expect(record).toMatchObject({
      topic: 'from the AI SDK',
      turns: 3,
      version: 1,
      sessionId: expect.any(String),
    });
    expect(created.content[0]?.text).toContain('Created a record in sessions');

    const readBack = (await read.execute(
      { table: 'sessions', record_id: record.sessionId },
      toolContext,
    )) as ToolResult;
    expect(readBack.isError ?? false).toBe(false);
    expect(readBack.structuredContent).toEqual({ record });
  });

  it('returns typed structured output when the caller gives an output schema', async () => {
    const Output = z.object({
      record: z
        .object({ sessionId: z.string(), topic: z.string(), version: z.number().int() })
        .loose(),
    });
    const tools = await client.tools({
      schemas: {
        create_record: {
          inputSchema: z.object({ table: z.string(), data: z.record(z.string(), z.unknown()) }),
          outputSchema: Output,
        },
        read_record: {
          inputSchema: z.object({ table: z.string(), record_id: z.string() }),
          outputSchema: Output,
        },
      },
    });
    expect(Object.keys(tools).sort()).toEqual(['create_record', 'read_record']);
    // execute's type also allows a stream; this server answers with one value, parsed (and so checked) here.
    const { record } = Output.parse(
      await tools.create_record.execute(
        { table: 'sessions', data: { topic: 'typed' } },
        toolContext,
      ),
    );
    const read = Output.parse(
      await tools.read_record.execute(
        { table: 'sessions', record_id: record.sessionId },
        toolContext,
      ),
    );
    expect(read.record).toEqual(record);
    expect(read.record.topic).toBe('typed');
    expect(read.record.version).toBe(1);
  });

  it('reports an invalid call as an error result naming the problem', async () => {
    const tools = await client.tools();
    const missingData = (await tools.create_record?.execute(
      { table: 'sessions' },
      toolContext,
    )) as ToolResult;
    expect(missingData.isError).toBe(true);
    expect(missingData.content[0]?.text).toMatch(/^VALIDATION: data: /);

    const notFound = (await tools.read_record?.execute(
      { table: 'sessions', record_id: 'does-not-exist' },
      toolContext,
    )) as ToolResult;
    expect(notFound.isError).toBe(true);
    expect(notFound.content[0]?.text).toMatch(/^NOT_FOUND: /);
    expect(uncaught).toEqual([]);
  });
});
