import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import {
  ResourceListChangedNotificationSchema,
  type Progress,
} from '@modelcontextprotocol/sdk/types.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  assertBuilt,
  childEnv,
  CLI_PATH,
  connectStdio,
  makeTempDir,
  NODE_BIN,
  removeDir,
  type StdioServer,
} from '../support/cli-process.js';
import { startTestHttpServer, type TestHttpServer } from '../support/http-server.js';
import { connectHttpClient, preferSseFetch } from '../support/mcp-http.js';
import { callError, callOk } from '../support/tool-results.js';

const SOURCE = 'team notes/on-call rota.md';
const CONTENT = '# On-call rota\n\nThe on-call engineer hands over every Monday at 10:00.';

/** Ingest with a progressToken: the stages arrive on the transport before the result. */
async function ingestWithProgress(client: Client): Promise<Progress[]> {
  const updates: Progress[] = [];
  const result = await client.callTool(
    { name: 'ingest_document', arguments: { source: SOURCE, content: CONTENT } },
    undefined,
    { onprogress: (p) => updates.push(p), timeout: 60_000 },
  );
  expect(result.isError ?? false).toBe(false);
  return updates;
}

async function readsTheDocumentBack(client: Client): Promise<void> {
  const uri = `doc://${encodeURIComponent(SOURCE)}`;
  const { contents } = await client.readResource({ uri });
  expect(contents[0]).toMatchObject({ uri, mimeType: 'text/markdown' });
  expect((contents[0] as { text: string }).text).toContain('hands over every Monday');
  const { completion } = await client.complete({
    ref: { type: 'ref/resource', uri: 'doc://{source}' },
    argument: { name: 'source', value: 'team' },
  });
  expect(completion.values).toEqual([SOURCE]);
  const { messages } = await client.getPrompt({
    name: 'cited_answer',
    arguments: { question: 'when is the on-call handover' },
  });
  expect((messages[0]?.content as { text: string }).text).toMatch(
    /^\[1\] \(score [\d.]+\)\n<passage>\n│ source: "team notes\/on-call rota\.md"$/m,
  );
}

describe('over stdio (the built CLI)', () => {
  let dataDir: string;
  let server: StdioServer | undefined;
  beforeAll(async () => {
    assertBuilt();
    dataDir = await makeTempDir('mcp-features-stdio');
  });
  afterAll(async () => {
    await server?.close();
    await removeDir(dataDir);
  });

  it('--read-only lists only the read tools and refuses a write with READ_ONLY', async () => {
    const readOnly = await connectStdio({
      command: NODE_BIN,
      args: [CLI_PATH, '--data-dir', dataDir, '--read-only'],
    });
    try {
      const { tools } = await readOnly.client.listTools();
      expect(tools.map((t) => t.name).sort()).toEqual(
        ['list_documents', 'list_records', 'read_record', 'search_documents'].sort(),
      );
      expect(
        await callError(readOnly.client, 'create_record', { table: 'notes', data: {} }),
      ).toMatch(/^READ_ONLY: create_record changes data/);
      expect(readOnly.transportErrors).toEqual([]);
    } finally {
      await readOnly.close();
    }
  }, 60_000);

  it('MCP_ENABLED_TOOLS with an unknown name fails start-up, naming the valid tools', async () => {
    await expect(
      connectStdio({
        command: NODE_BIN,
        args: [CLI_PATH, '--data-dir', dataDir],
        env: childEnv({ MCP_ENABLED_TOOLS: 'search_documents,nope' }),
      }),
    ).rejects.toThrow(/MCP_ENABLED_TOOLS: \\?"nope\\?" is not a tool; the tools are create_record/);
  }, 60_000);

  it('sends progress, list_changed and log levels as JSON-RPC on stdout, and serves resources, prompts and completions', async () => {
    server = await connectStdio({ command: NODE_BIN, args: [CLI_PATH, '--data-dir', dataDir] });
    let listChanged = 0;
    server.client.setNotificationHandler(ResourceListChangedNotificationSchema, () => {
      listChanged++;
    });
    await server.client.setLoggingLevel('warning');
    const updates = await ingestWithProgress(server.client);
    expect(updates.map((u) => u.progress)).toEqual([0, 1, 2, 3]);
    await expect.poll(() => listChanged).toBe(1);
    await readsTheDocumentBack(server.client);
    await callOk(server.client, 'delete_document', { source: SOURCE });
    await expect.poll(() => listChanged).toBe(2);
    expect(server.transportErrors).toEqual([]);
  }, 60_000);
});

describe('over Streamable HTTP (stateless)', () => {
  let http: TestHttpServer;
  beforeAll(async () => {
    http = await startTestHttpServer();
  });
  afterAll(() => http.close());

  it('streams progress on the SSE response of the call, and serves resources, prompts and completions', async () => {
    const client = await connectHttpClient(http.url, { fetch: preferSseFetch });
    try {
      expect(client.getServerCapabilities()).toMatchObject({
        resources: { listChanged: true },
        prompts: {},
        completions: {},
        logging: {},
      });
      const updates = await ingestWithProgress(client);
      expect(updates.map((u) => u.progress)).toEqual([0, 1, 2, 3]);
      await readsTheDocumentBack(client);
    } finally {
      await client.close();
    }
  }, 60_000);
});
