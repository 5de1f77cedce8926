/**
 * The documents panel (`documents`) and the viewer (`document`) on both paths of the session
 * protocol (the local core and the AWS handlers, in-process, see `protocol-paths.ts`), over the
 * same MCP client stand-in: the same answers and the same errors wherever the gateway runs.
 * Before, the AWS path refused both frames (LOCAL_ONLY).
 */
import { Server } from '@modelcontextprotocol/sdk/server/index.js';
import { InMemoryTransport } from '@modelcontextprotocol/sdk/inMemory.js';
import {
  CallToolRequestSchema,
  ListToolsRequestSchema,
  ReadResourceRequestSchema,
} from '@modelcontextprotocol/sdk/types.js';
import { silentLogger } from 'chatbot-mcp-server/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { McpToolClient } from '../../src/adapters/mcp/mcp-tool-client.js';
import type { ToolClient } from '../../src/ports/tool-client.js';
import type { ServerFrame } from '../../src/protocol/frames.js';
import {
  lambdaPath,
  localPath,
  type PathClient,
  type ProtocolPath,
} from '../support/protocol-paths.js';

const TEXT = 'Rolling back. Roll back as soon as a deploy causes errors.';

/** The MCP server as the gateway sees it: one document, listed and read for anybody. */
const tools: ToolClient = {
  listTools: () => Promise.resolve([]),
  callTool: (name) =>
    Promise.resolve(
      name === 'list_documents'
        ? {
            isError: false,
            text: '',
            structured: {
              documents: [
                { source: 'runbook.md', title: 'Runbook', chunks: 3, ingested_at: '2026-12-01' },
              ],
            },
          }
        : { isError: true, text: `no tool ${name}` },
    ),
  readDocument: (source) =>
    Promise.resolve(
      source === 'runbook.md'
        ? { source, title: 'Runbook', text: TEXT, mimeType: 'text/markdown' }
        : undefined,
    ),
  close: () => Promise.resolve(),
};

/** The frame `send` answers (the first of `type` or an error after what the client had). */
async function answer(
  client: PathClient,
  frame: Record<string, unknown>,
  type: ServerFrame['type'],
): Promise<Record<string, unknown>> {
  const before = client.channel.frames.length;
  await client.send(frame);
  const after = (f: ServerFrame): boolean => client.channel.frames.indexOf(f) >= before;
  const got = await Promise.race([
    client.channel.next(type, after),
    client.channel.next('error', after),
  ]);
  // Whether a reply is numbered is the resume suite's concern.
  const rest: Record<string, unknown> = { ...got };
  delete rest.seq;
  return rest;
}

describe.each([
  ['local core', localPath],
  ['AWS handlers', lambdaPath],
])('documents panel and viewer contract: %s', (_, make) => {
  let path: ProtocolPath;
  let client: PathClient;
  beforeAll(async () => {
    path = await make({ tools });
    client = await path.connect();
    await client.channel.next('session');
  });
  afterAll(async () => {
    await path.close();
  });

  it('documents: a page of the documents the user may read', async () => {
    expect(await answer(client, { type: 'documents' }, 'documents')).toEqual({
      type: 'documents',
      documents: [{ source: 'runbook.md', title: 'Runbook', chunks: 3, ingestedAt: '2026-12-01' }],
    });
  });

  it('document: the text as indexed, from the start', async () => {
    expect(
      await answer(
        client,
        { type: 'document', source: 'runbook.md', snippet: 'Roll back' },
        'document',
      ),
    ).toEqual({
      type: 'document',
      source: 'runbook.md',
      title: 'Runbook',
      text: TEXT,
      mimeType: 'text/markdown',
      offset: 0,
      totalChars: TEXT.length,
    });
  });

  it('document that is not there (or not theirs): NOT_FOUND, not retryable', async () => {
    expect(await answer(client, { type: 'document', source: 'gone.md' }, 'document')).toMatchObject(
      {
        type: 'error',
        code: 'NOT_FOUND',
        retryable: false,
        replyTo: 'document',
      },
    );
  });
});

/** The real MCP client, to an MCP server that never answers a tool call or a resource read. */
function hangingMcpServer(): McpToolClient {
  return new McpToolClient({
    name: 'in-memory',
    logger: silentLogger,
    connect: async () => {
      const [clientSide, serverSide] = InMemoryTransport.createLinkedPair();
      const server = new Server(
        { name: 'hangs', version: '1' },
        { capabilities: { tools: {}, resources: {} } },
      );
      server.setRequestHandler(ListToolsRequestSchema, () => ({ tools: [] }));
      server.setRequestHandler(CallToolRequestSchema, () => new Promise(() => undefined));
      server.setRequestHandler(ReadResourceRequestSchema, () => new Promise(() => undefined));
      await server.connect(serverSide);
      return clientSide;
    },
  });
}

describe.each([
  // Locally the frame waits TOOL_TIMEOUT_MS (here 300 ms).
  ['local core', () => localPath({ tools: hangingMcpServer(), documentTimeoutMs: 300 })],
  // On AWS it also gives up before the invocation ends (here 1.8 s left, 1.5 s kept to reply),
  // TOOL_TIMEOUT_MS being the default 30 s: a function timeout would answer nothing at all.
  ['AWS handlers', () => lambdaPath({ tools: hangingMcpServer(), remainingMs: 1_800 })],
])('documents panel and viewer when the MCP server does not answer: %s', (_, make) => {
  let path: ProtocolPath;
  let client: PathClient;
  beforeAll(async () => {
    path = await make();
    client = await path.connect();
    await client.channel.next('session');
  });
  afterAll(async () => {
    await path.close();
  });

  it.each([
    ['documents', { type: 'documents' }],
    ['document', { type: 'document', source: 'runbook.md' }],
  ])('%s: a retryable error in time, not silence', async (_, frame) => {
    const started = Date.now();
    const got = await answer(client, frame, 'error');
    expect(got).toMatchObject({ type: 'error', code: 'MCP_TOOL_ERROR', retryable: true });
    expect(String(got.message)).toMatch(/did not answer within \d+ ms; try again/);
    expect(Date.now() - started).toBeLessThan(10_000);
  });
});
