import { STDIO_DEFAULT_MAX_BUFFER_SIZE } from '@modelcontextprotocol/sdk/shared/stdio.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { assertBuilt, jsonLines, makeTempDir, removeDir } from '../support/cli-process.js';
import { RawStdioServer, type JsonRpcResponse } from '../support/raw-stdio.js';

/**
 * Hostile input over stdio to the real CLI (`node dist/cli.js`), with raw lines on stdin. After
 * each case the server must answer a normal call and the store must hold what it held before.
 *
 * Oversized lines, as decided here: the SDK's stdio transport buffers at most 10 MiB
 * (STDIO_DEFAULT_MAX_BUFFER_SIZE) of an unfinished line.
 * - A line under that is read whole and handled like any other: a tool call is answered (here
 *   with VALIDATION, as the item is over 400 KB), a line that is not JSON-RPC is ignored.
 * - A longer line is dropped up to its newline by the server's bounded line reader (a warning
 *   on stderr) and the session goes on; memory stays bounded.
 */

const TABLES = ['sessions', 'conversations', 'analytics', 'notes'];

let dataDir: string;
let server: RawStdioServer;
let before: Record<string, unknown[]>;
let seededId: string;

function structured(response: JsonRpcResponse): Record<string, unknown> {
  expect(response.error, JSON.stringify(response)).toBeUndefined();
  expect(response.result?.isError ?? false, JSON.stringify(response)).toBe(false);
  return response.result?.structuredContent as Record<string, unknown>;
}

/** Every record of every table, read through the server with list_records. */
async function snapshot(on: RawStdioServer): Promise<Record<string, unknown[]>> {
  const out: Record<string, unknown[]> = {};
  for (const table of TABLES) {
    const records: unknown[] = [];
    let cursor: string | undefined;
    do {
      const page = structured(
        await on.callTool('list_records', { table, limit: 100, ...(cursor && { cursor }) }),
      ) as {
        records: unknown[];
        cursor?: string;
      };
      records.push(...page.records);
      cursor = page.cursor;
    } while (cursor);
    out[table] = records.sort((a, b) => JSON.stringify(a).localeCompare(JSON.stringify(b)));
  }
  return out;
}

async function expectIntact(): Promise<void> {
  expect(
    structured(await server.callTool('read_record', { table: 'sessions', record_id: seededId })),
  ).toMatchObject({
    record: { sessionId: seededId },
  });
  expect(await snapshot(server)).toEqual(before);
  expect(server.stray).toEqual([]);
}

function toolError(response: JsonRpcResponse): string {
  expect(response.result?.isError, JSON.stringify(response)).toBe(true);
  return String((response.result?.content as { text: string }[])[0]?.text);
}

beforeAll(async () => {
  assertBuilt();
  dataDir = await makeTempDir('mcp-hostile-stdio');
  server = await RawStdioServer.start(dataDir);
  const created = structured(
    await server.callTool('create_record', { table: 'sessions', data: { topic: 'seed', x: 1 } }),
  ) as {
    record: { sessionId: string };
  };
  seededId = created.record.sessionId;
  structured(
    await server.callTool('create_record', {
      table: 'conversations',
      data: { sessionId: seededId, messageId: 'm1' },
    }),
  );
  before = await snapshot(server);
});

afterAll(async () => {
  await server?.close();
  await removeDir(dataDir);
});

describe('hostile input over stdio (node dist/cli.js, raw lines)', { timeout: 60_000 }, () => {
  it('lines that are not JSON-RPC are ignored and reported on stderr', async () => {
    for (const line of [
      '{',
      'null',
      '42',
      '"tools/call"',
      '[]',
      '\u0000\u0001',
      '{"jsonrpc":"2.0","id":1,"method":5,"params":"x"}',
    ]) {
      await server.write(`${line}\n`);
    }
    await server.write(
      `${JSON.stringify({ jsonrpc: '2.0', id: null, method: 'tools/call', params: { name: 'create_record', arguments: { table: 'sessions', data: { via: 'id-null' } } } })}\n`,
    );
    // A batch: JSON-RPC batching is not part of MCP over stdio; the SDK reads one message per line.
    await server.write(
      `${JSON.stringify([
        {
          jsonrpc: '2.0',
          id: 'batch-1',
          method: 'tools/call',
          params: {
            name: 'create_record',
            arguments: { table: 'sessions', data: { via: 'batch' } },
          },
        },
      ])}\n`,
    );
    await expectIntact();
    const warnings = jsonLines(server.stderr()).filter((l) => l.msg === 'stdio: unreadable input');
    expect(warnings.length).toBeGreaterThanOrEqual(9);
  });

  it('bad calls are refused: unknown tool, extra arguments, key changes, odd table aliases', async () => {
    expect((await server.callTool('no_such_tool', {})).error?.code).toBe(-32602);
    expect(
      toolError(await server.callTool('create_record', { table: 'sessions', data: {}, extra: 1 })),
    ).toMatch(/^VALIDATION: /);
    expect(
      toolError(
        await server.callTool('update_record', {
          table: 'sessions',
          record_id: seededId,
          data: { sessionId: 'x' },
        }),
      ),
    ).toMatch(/^VALIDATION: /);
    for (const table of [
      'chatbot-sessions',
      'arn:aws:dynamodb:us-east-1:123456789012:table/chatbot-sessions',
      '../sessions',
    ]) {
      expect(
        toolError(await server.callTool('delete_record', { table, record_id: seededId })),
      ).toMatch(/^VALIDATION: table: /);
    }
    await expectIntact();
  });

  it('a ~10 MB line that is not JSON is skipped; the next request is answered', async () => {
    await server.write(`${'x'.repeat(10_000_000)}\n`);
    await expectIntact();
  });

  it('a ~10 MB tool call is read and refused as over the 400 KB item limit', async () => {
    const id = 'big-call';
    await server.write(
      `${JSON.stringify({ jsonrpc: '2.0', id, method: 'tools/call', params: { name: 'create_record', arguments: { table: 'sessions', data: { blob: 'x'.repeat(10_000_000) } } } })}\n`,
    );
    expect(toolError(await server.response(id))).toMatch(/^VALIDATION: .*400 KB/);
    await expectIntact();
  });

  it('a line over the 10 MiB limit is dropped with a warning; the session goes on', async () => {
    const oversized = STDIO_DEFAULT_MAX_BUFFER_SIZE + 1_000_000;
    await server.write(`${'y'.repeat(oversized)}\n`);
    await expectIntact();
    expect(jsonLines(server.stderr())).toContainEqual(
      expect.objectContaining({
        level: 'warn',
        msg: 'stdio: dropped a line over the size limit',
        bytes: oversized + 1,
      }),
    );
    expect(server.stray).toEqual([]);
  });
});
