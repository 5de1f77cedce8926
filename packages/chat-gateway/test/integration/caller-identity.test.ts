import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { silentLogger } from 'chatbot-mcp-server/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { McpToolClient } from '../../src/adapters/mcp/mcp-tool-client.js';
import { httpTransport } from '../../src/adapters/mcp/transports.js';
import type { Identity } from '../../src/ports/session-store.js';
import type { ToolCallOptions, ToolCaller, ToolClient } from '../../src/ports/tool-client.js';
import { startHttpCli } from '../../../mcp-server/test/support/http-cli.js';
import { coreHarness, send, type CoreHarness } from '../support/core-harness.js';
import type { RecordingChannel } from '../support/fake-channel.js';

/**
 * The session's user travels with every tool call, document list and document read from the
 * chat to the MCP server; the server records and scopes by it (see the MCP server's README,
 * "Identity"). `created_by` of a created record shows whom the server saw.
 */
const ISSUER = 'https://login.example.com';
const alice: Identity = { issuer: ISSUER, subject: 'alice', groups: ['staff'] };
const bob: Identity = { issuer: ISSUER, subject: 'bob', groups: [] };

const dirs: string[] = [];
function tablesFile(): string {
  const dir = mkdtempSync(join(tmpdir(), 'caller-gw-'));
  dirs.push(dir);
  const path = join(dir, 'tables.json');
  writeFileSync(
    path,
    JSON.stringify({
      tables: {
        notes: { name: 'caller-notes', partitionKey: 'id' },
        todos: { name: 'caller-todos', partitionKey: 'id', scope: 'owner' },
      },
    }),
  );
  return path;
}
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

/** Runs `/call …` on `c` and returns the tool result frame of that turn. */
async function slashCall(
  h: CoreHarness,
  c: RecordingChannel,
  id: string,
  tool: string,
  args: Record<string, unknown>,
): Promise<{ isError: boolean; text: string; output: unknown }> {
  await send(h, c, { type: 'message', id, content: `/call ${tool} ${JSON.stringify(args)}` });
  const start = await c.next('start', (f) => f.replyTo === id);
  if (tool === 'delete_record') {
    const ask = await c.next('confirm-request', (f) => f.messageId === start.messageId);
    await send(h, c, { type: 'confirm', toolCallId: ask.toolCallId, approve: true });
  }
  await c.next('finish', (f) => f.messageId === start.messageId);
  return c.next('tool-result', (f) => f.messageId === start.messageId);
}

describe('the chat gateway passes the session user to the MCP server (in-process)', () => {
  let h: CoreHarness;
  /** The caller option of every tool call and document read, by tool name. */
  const seen: { name: string; caller: ToolCaller | undefined }[] = [];

  beforeAll(async () => {
    h = await coreHarness({
      tablesFile: tablesFile(),
      tools: (t): ToolClient => ({
        listTools: () => t.listTools(),
        callTool: (name, args, options?: ToolCallOptions) => {
          seen.push({ name, caller: options?.caller });
          return t.callTool(name, args, options);
        },
        readDocument: (source, options) => {
          seen.push({ name: 'resources/read', caller: options?.caller });
          return t.readDocument(source, options);
        },
        close: () => t.close(),
      }),
    });
  }, 120_000);
  afterAll(() => h?.close());

  it('two users on an owner-scoped table through /call: each sees only their own rows', async () => {
    const a = await h.connect(alice);
    const b = await h.connect(bob);
    const created = await slashCall(h, a, 'a1', 'create_record', {
      table: 'todos',
      data: { id: 'todo-a', task: 'alice only' },
    });
    expect(created.isError).toBe(false);
    expect(created.output).toMatchObject({ record: { created_by: `${ISSUER}#alice` } });
    await slashCall(h, b, 'b1', 'create_record', {
      table: 'todos',
      data: { id: 'todo-b', task: 'bob only' },
    });

    const bobReads = await slashCall(h, b, 'b2', 'read_record', {
      table: 'todos',
      record_id: 'todo-a',
    });
    expect(bobReads).toMatchObject({ isError: true, text: expect.stringMatching(/^NOT_FOUND/) });
    const bobLists = await slashCall(h, b, 'b3', 'list_records', { table: 'todos' });
    expect(JSON.stringify(bobLists.output)).toContain('bob only');
    expect(JSON.stringify(bobLists.output)).not.toContain('alice only');
    const bobDeletes = await slashCall(h, b, 'b4', 'delete_record', {
      table: 'todos',
      record_id: 'todo-a',
    });
    expect(bobDeletes.text).toMatch(/^NOT_FOUND/);

    const aliceReads = await slashCall(h, a, 'a2', 'read_record', {
      table: 'todos',
      record_id: 'todo-a',
    });
    expect(aliceReads.isError).toBe(false);
  });

  it('without sign-in the chat is anonymous: shared tables work, owner-scoped ones refuse', async () => {
    const c = await h.connect();
    const note = await slashCall(h, c, 'n1', 'create_record', {
      table: 'notes',
      data: { title: 'anon note' },
    });
    expect(note.output).toMatchObject({ record: { created_by: 'anonymous' } });
    const todo = await slashCall(h, c, 'n2', 'list_records', { table: 'todos' });
    expect(todo.text).toMatch(/^FORBIDDEN: .*needs a signed-in user/);
  });

  it("the gateway's own calls (no caller) run as the operator", async () => {
    const own = await h.tools.callTool('create_record', { table: 'notes', data: {} });
    expect(own.structured).toMatchObject({ record: { created_by: 'operator' } });
    // The operator sees every owner-scoped row.
    const all = await h.tools.callTool('list_records', { table: 'todos' });
    expect(all.text).toContain('alice only');
    expect(all.text).toContain('bob only');
  });

  it('document search in an answer, the documents panel and the viewer carry the user', async () => {
    const a = await h.connect(alice);
    seen.length = 0;
    await send(h, a, { type: 'message', id: 'q1', content: 'How do I roll back a deployment?' });
    await a.next('finish');
    await send(h, a, { type: 'documents' });
    await a.next('documents');
    await send(h, a, { type: 'document', source: 'deployment-runbook.md' });
    await a.next('document');
    const names = seen.map((s) => s.name);
    expect(names).toEqual(
      expect.arrayContaining(['search_documents', 'list_documents', 'resources/read']),
    );
    for (const s of seen) expect(s.caller, s.name).toEqual(alice);

    const anon = await h.connect();
    seen.length = 0;
    await send(h, anon, { type: 'documents' });
    await anon.next('documents');
    expect(seen).toEqual([{ name: 'list_documents', caller: 'anonymous' }]);
  });
});

describe('McpToolClient sends the caller over stdio and HTTP (static token)', () => {
  const MCP_CLI = new URL('../../../mcp-server/dist/cli.js', import.meta.url).pathname;

  async function whoCreates(client: McpToolClient, caller?: ToolCaller): Promise<unknown> {
    const result = await client.callTool(
      'create_record',
      { table: 'notes', data: {} },
      caller === undefined ? {} : { caller },
    );
    expect(result.isError, result.text).toBe(false);
    return (result.structured as { record: { created_by: unknown } }).record.created_by;
  }

  it('stdio child: the user, anonymous, or the gateway itself', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'caller-gw-stdio-'));
    dirs.push(dataDir);
    const client = new McpToolClient({
      name: 'stdio',
      logger: silentLogger,
      connect: () =>
        Promise.resolve(
          new StdioClientTransport({
            command: process.execPath,
            args: [MCP_CLI, '--data-dir', dataDir],
            stderr: 'ignore',
          }),
        ),
    });
    try {
      expect(await whoCreates(client, alice)).toBe(`${ISSUER}#alice`);
      expect(await whoCreates(client, 'anonymous')).toBe('anonymous');
      expect(await whoCreates(client)).toBe('operator');
    } finally {
      await client.close();
    }
  }, 60_000);

  it('HTTP with the static token: the user the gateway names', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'caller-gw-http-'));
    dirs.push(dataDir);
    const server = await startHttpCli(['--data-dir', dataDir], { MCP_AUTH_TOKEN: 'gw-secret' });
    const client = new McpToolClient({
      name: 'http',
      logger: silentLogger,
      connect: httpTransport(server.url, 'gw-secret'),
    });
    try {
      expect(await whoCreates(client, bob)).toBe(`${ISSUER}#bob`);
      expect(await whoCreates(client)).toBe('operator');
    } finally {
      await client.close();
      await server.kill();
    }
  }, 60_000);
});
