import { createMCPClient, type MCPClient } from '@ai-sdk/mcp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { assertBuilt, makeTempDir, removeDir } from '../support/cli-process.js';
import { startHttpCli, type HttpCliProcess } from '../support/http-cli.js';
import { preferSseFetch } from '../support/mcp-http.js';
import { ALL_TOOLS } from '../support/tool-results.js';

/**
 * The Vercel AI SDK's MCP client (an independent implementation) over Streamable HTTP against
 * `node dist/cli.js --transport http` with MCP_AUTH_TOKEN. The stdio side is ai-sdk-client.test.ts.
 */

interface ToolResult {
  isError?: boolean;
  content: { type: string; text?: string }[];
  structuredContent?: unknown;
}

const TOKEN = 'ai-sdk-http-token-1e4f';
const toolContext = { toolCallId: 'call-1', messages: [] };

let dataDir: string;
let server: HttpCliProcess;
const clients: MCPClient[] = [];
const uncaught: unknown[] = [];

async function connect(options: { token?: string; fetch?: typeof fetch } = {}): Promise<MCPClient> {
  const client = await createMCPClient({
    transport: {
      type: 'http',
      url: server.url,
      ...(options.token && { headers: { authorization: `Bearer ${options.token}` } }),
      ...(options.fetch && { fetch: options.fetch }),
    },
    clientName: 'ai-sdk-http-e2e',
    onUncaughtError: (error) => uncaught.push(error),
  });
  clients.push(client);
  return client;
}

beforeAll(async () => {
  assertBuilt();
  dataDir = await makeTempDir('mcp-ai-sdk-http');
  server = await startHttpCli(['--data-dir', dataDir], { MCP_AUTH_TOKEN: TOKEN });
});

afterAll(async () => {
  await Promise.all(clients.map((c) => c.close()));
  await server?.kill();
  await removeDir(dataDir);
});

describe('@ai-sdk/mcp over Streamable HTTP against node dist/cli.js --transport http', () => {
  it('sees the server and its record and document tools', async () => {
    const client = await connect({ token: TOKEN });
    expect(client.serverInfo.name).toBe('chatbot-mcp-server');
    expect(client.instructions).toContain('VALIDATION');
    expect(client.instructions).toContain('search_documents');
    const { tools } = await client.listTools();
    expect(tools.map((t) => t.name)).toEqual(ALL_TOOLS);
    const annotations = (name: string): unknown => tools.find((t) => t.name === name)?.annotations;
    expect(annotations('delete_record')).toMatchObject({ destructiveHint: true });
    for (const name of ['search_documents', 'list_documents']) {
      expect(annotations(name), name).toMatchObject({
        readOnlyHint: true,
        destructiveHint: false,
        idempotentHint: true,
      });
    }
    for (const name of ['ingest_document', 'delete_document']) {
      expect(annotations(name), name).toMatchObject({
        readOnlyHint: false,
        destructiveHint: true,
        idempotentHint: true,
      });
    }
  });

  it('ingests a document and finds it with search_documents through AI SDK tools', async () => {
    const tools = await (await connect({ token: TOKEN })).tools();
    const ingested = (await tools.ingest_document?.execute(
      {
        source: 'guides/kiln.md',
        content: '# Kiln firing\n\nBisque firing reaches cone 04 before the glaze firing.',
      },
      toolContext,
    )) as ToolResult;
    expect(ingested.structuredContent).toEqual({
      source: 'guides/kiln.md',
      chunks: 1,
      skipped: false,
    });
    const found = (await tools.search_documents?.execute(
      { query: 'bisque firing cone', mode: 'keyword' },
      toolContext,
    )) as ToolResult;
    expect(found.isError ?? false).toBe(false);
    const { results } = found.structuredContent as { results: { source: string; score: number }[] };
    expect(results[0]?.source).toBe('guides/kiln.md');
    expect(results[0]?.score).toBeGreaterThan(0);
    expect(results[0]?.score).toBeLessThanOrEqual(1);
    expect(found.content[0]?.text).toMatch(
      /\[1\] \(score \d\.\d{3}\)\n<passage>\n│ source: "guides\/kiln\.md"\n/,
    );
  });

  it('creates, updates and reads back a record through AI SDK tools', async () => {
    const tools = await (await connect({ token: TOKEN })).tools();
    const created = (await tools.create_record?.execute(
      { table: 'sessions', data: { topic: 'over http', turns: 1 } },
      toolContext,
    )) as ToolResult;
    expect(created.isError ?? false).toBe(false);
    const record = (created.structuredContent as { record: Record<string, unknown> }).record;
    expect(record).toMatchObject({ topic: 'over http', version: 1 });

    const updated = (await tools.update_record?.execute(
      { table: 'sessions', record_id: record.sessionId, data: { turns: 2 }, expected_version: 1 },
      toolContext,
    )) as ToolResult;
    expect(updated.structuredContent).toMatchObject({ record: { turns: 2, version: 2 } });

    const read = (await tools.read_record?.execute(
      { table: 'sessions', record_id: record.sessionId },
      toolContext,
    )) as ToolResult;
    expect(read.structuredContent).toEqual(updated.structuredContent);
  });

  it('returns typed structured output, also when the server answers with SSE', async () => {
    const Output = z.object({
      record: z
        .object({ sessionId: z.string(), topic: z.string(), version: z.number().int() })
        .loose(),
    });
    const contentTypes: string[] = [];
    const recordingFetch: typeof fetch = async (input, init) => {
      const response = await preferSseFetch(input, init);
      contentTypes.push(response.headers.get('content-type') ?? '');
      return response;
    };
    const client = await connect({ token: TOKEN, fetch: recordingFetch });
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
    const { record } = Output.parse(
      await tools.create_record.execute(
        { table: 'sessions', data: { topic: 'typed over sse' } },
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
    expect(contentTypes).toContain('text/event-stream');
  });

  it('reports invalid calls as error results naming the problem', async () => {
    const tools = await (await connect({ token: TOKEN })).tools();
    const invalid = (await tools.list_records?.execute(
      { table: '../sessions' },
      toolContext,
    )) as ToolResult;
    expect(invalid.isError).toBe(true);
    expect(invalid.content[0]?.text).toMatch(/^VALIDATION: table: /);
    const first = (await tools.create_record?.execute(
      { table: 'sessions', data: { sessionId: 'dup' } },
      toolContext,
    )) as ToolResult;
    expect(first.isError ?? false).toBe(false);
    const again = (await tools.create_record?.execute(
      { table: 'sessions', data: { sessionId: 'dup' } },
      toolContext,
    )) as ToolResult;
    expect(again.content[0]?.text).toMatch(/^CONFLICT: /);
    expect(uncaught).toEqual([]);
  });

  it('cannot connect without the token or with a wrong one', async () => {
    await expect(connect()).rejects.toThrow(/401/);
    await expect(connect({ token: 'wrong' })).rejects.toThrow(/401/);
  });
});
