import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { RecordItem } from '../../src/ports/record-store.js';
import { MAX_ITEM_BYTES, itemSizeBytes } from '../../src/records/item-size.js';
import { snapshotStore, startTestHttpServer, type TestHttpServer } from '../support/http-server.js';
import {
  connectHttpClient,
  post,
  request,
  toolCall,
  type RawResponse,
} from '../support/mcp-http.js';
import { callOk } from '../support/tool-results.js';

/**
 * Hostile and malformed input over real HTTP on 127.0.0.1. After each case the server must still
 * answer a normal call, and the store must hold exactly what it held before (or, where the
 * input is legal but odd, exactly the one change it asked for).
 */

const TOKEN = 'hostile-suite-token-5d2c';
const AUTH = { authorization: `Bearer ${TOKEN}` };

let server: TestHttpServer;
let mcp: Client;
let seeded: { sessionId: string; record: RecordItem };
let before: Record<string, RecordItem[]>;

beforeAll(async () => {
  server = await startTestHttpServer({ env: { MCP_AUTH_TOKEN: TOKEN } });
  mcp = await connectHttpClient(server.url, { token: TOKEN });
  const created = (await callOk(mcp, 'create_record', {
    table: 'sessions',
    data: { topic: 'seed', x: 'keep me', b: 'keep me too', nested: { a: [1, 2] } },
  })) as { record: RecordItem };
  seeded = { sessionId: String(created.record.sessionId), record: created.record };
  await callOk(mcp, 'create_record', {
    table: 'conversations',
    data: { sessionId: seeded.sessionId, messageId: 'm1', text: 'hi' },
  });
  await callOk(mcp, 'create_record', {
    table: 'analytics',
    data: { date: '2025-01-01', eventId: 'e1', count: 3 },
  });
});

afterAll(async () => {
  await mcp?.close();
  await server?.close();
});

beforeEach(async () => {
  before = await snapshotStore(server.runtime.records);
});

/** Still serving, and the store is exactly `expected` (by default: what it was before the case). */
async function expectIntact(expected: Record<string, RecordItem[]> = before): Promise<void> {
  const listed = (await callOk(mcp, 'list_records', { table: 'sessions', limit: 100 })) as {
    records: RecordItem[];
  };
  expect(listed.records.length).toBe(expected.sessions?.length);
  expect(await snapshotStore(server.runtime.records)).toEqual(expected);
}

const send = (body: unknown, headers: Record<string, string> = {}): Promise<RawResponse> =>
  post(server.url, body, { ...AUTH, ...headers });

/** A tools/call over raw HTTP; returns the JSON-RPC response object. */
async function call(
  name: string,
  args: unknown,
): Promise<{
  result?: { isError?: boolean; content: { text: string }[] };
  error?: { code: number; message: string };
}> {
  const response = await send(toolCall(name, args));
  expect(response.status).toBe(200);
  return response.body as never;
}

async function expectToolError(name: string, args: unknown, pattern: RegExp): Promise<string> {
  const answer = await call(name, args);
  expect(answer.error, JSON.stringify(answer)).toBeUndefined();
  expect(answer.result?.isError, JSON.stringify(answer)).toBe(true);
  const text = answer.result?.content[0]?.text ?? '';
  expect(text).toMatch(pattern);
  return text;
}

const cursor = (envelope: unknown): string =>
  Buffer.from(JSON.stringify(envelope)).toString('base64url');

const createSeedUpdate = (data: Record<string, unknown>) => ({
  table: 'sessions',
  record_id: seeded.sessionId,
  data,
});

describe('hostile HTTP input (startHttpServer on 127.0.0.1, MCP_AUTH_TOKEN set)', () => {
  it('malformed JSON bodies: 400 Parse error', async () => {
    const deep = '['.repeat(100_000) + ']'.repeat(100_000);
    for (const body of [
      '{',
      '{"jsonrpc":"2.0","id":1,"method":"tools/call"',
      '',
      'nul',
      '\u0000\u0001',
      '{"a":1}{"b":2}',
      deep,
    ]) {
      const response = await send(body);
      expect(response.status, body.slice(0, 20)).toBe(400);
      expect(response.body).toMatchObject({ jsonrpc: '2.0', id: null, error: { code: -32700 } });
    }
    await expectIntact();
  });

  it('JSON-RPC with wrong types, id: null or no jsonrpc: 400 Invalid JSON-RPC message', async () => {
    const create = {
      name: 'create_record',
      arguments: { table: 'sessions', data: { via: 'bad-envelope' } },
    };
    for (const body of [
      { jsonrpc: '2.0', id: 1, method: 5, params: 'x' },
      { jsonrpc: '2.0', id: 1, method: 'tools/call', params: 'x' },
      { jsonrpc: '2.0', id: null, method: 'tools/call', params: create },
      { jsonrpc: '2.0', id: { nested: 1 }, method: 'tools/call', params: create },
      { jsonrpc: '1.0', id: 1, method: 'tools/call', params: create },
      { id: 1, method: 'tools/call', params: create },
      null,
      42,
      'tools/call',
    ]) {
      const response = await send(body);
      expect(response.status, JSON.stringify(body)).toBe(400);
      expect(response.body).toMatchObject({ error: { code: -32700 } });
    }
    await expectIntact();
  });

  it('a tools/call sent as a notification (no id) is accepted with 202 and not executed', async () => {
    const response = await send({
      jsonrpc: '2.0',
      method: 'tools/call',
      params: {
        name: 'create_record',
        arguments: { table: 'sessions', data: { via: 'notification' } },
      },
    });
    expect(response.status).toBe(202);
    expect(response.text).toBe('');
    await expectIntact();
  });

  it('well-formed requests with wrong params are answered with JSON-RPC errors', async () => {
    // Params that fail the method's schema: -32602 Invalid params (the SDK alone answered some
    // with -32603 and the schema error as JSON; src/mcp/invalid-params.ts).
    for (const body of [
      toolCall('create_record', 'x'),
      toolCall('create_record', []),
      request('tools/call', { name: 5 }),
      request('resources/read', {}),
      request('logging/setLevel', { level: 'loud' }),
    ]) {
      const response = await send(body);
      expect(response.status).toBe(200);
      const code = (response.body as { error?: { code: number } }).error?.code;
      expect(code, JSON.stringify(body)).toBe(-32602);
    }
    // Methods this server does not have (resource subscriptions; client-side requests).
    for (const body of [
      request('resources/subscribe', { uri: 'doc://x' }),
      request('roots/list'),
      request('sampling/createMessage', { messages: [], maxTokens: 1 }),
    ]) {
      expect((await send(body)).body, JSON.stringify(body)).toMatchObject({
        error: { code: -32601 },
      });
    }
    // Methods it has, with arguments that name nothing.
    for (const body of [
      request('prompts/get', { name: 'x' }),
      request('resources/read', { uri: 'file:///etc/passwd' }),
    ]) {
      expect((await send(body)).body, JSON.stringify(body)).toMatchObject({
        error: { code: -32602 },
      });
    }
    await expectIntact();
  });

  it('transport-level refusals: wrong Content-Type 415, Accept without SSE 406, unknown protocol version 400', async () => {
    const body = toolCall('create_record', { table: 'sessions', data: { via: 'refused' } });
    expect((await send(body, { 'content-type': 'text/plain' })).status).toBe(415);
    expect((await send(body, { accept: 'application/json' })).status).toBe(406);
    expect((await send(body, { 'mcp-protocol-version': '1999-01-01' })).status).toBe(400);
    await expectIntact();
  });

  it('a batch of hostile requests is answered element by element and changes nothing', async () => {
    const batch = [
      toolCall('create_record', { table: 'sessions', data: { version: 99 } }, 'b1'),
      toolCall('no_such_tool', {}, 'b2'),
      toolCall('update_record', createSeedUpdate({ sessionId: 'other' }), 'b3'),
      toolCall('delete_record', { table: 'chatbot-sessions', record_id: seeded.sessionId }, 'b4'),
      {
        jsonrpc: '2.0',
        method: 'tools/call',
        params: {
          name: 'delete_record',
          arguments: { table: 'sessions', record_id: seeded.sessionId },
        },
      },
    ];
    const response = await send(batch);
    expect(response.status).toBe(200);
    const answers = response.body as {
      id: string;
      result?: { isError?: boolean };
      error?: { code: number };
    }[];
    expect(answers.map((a) => a.id).sort()).toEqual(['b1', 'b2', 'b3', 'b4']); // the notification gets no answer
    const byId = Object.fromEntries(answers.map((a) => [a.id, a]));
    expect(byId.b1?.result?.isError).toBe(true);
    expect(byId.b2?.error?.code).toBe(-32602);
    expect(byId.b3?.result?.isError).toBe(true);
    expect(byId.b4?.result?.isError).toBe(true);
    await expectIntact();
  });

  it('batches: initialize must be alone, more than 100 messages are refused, valid writes apply exactly once', async () => {
    const init = request('initialize', {
      protocolVersion: '2025-03-26',
      capabilities: {},
      clientInfo: { name: 'x', version: '1' },
    });
    expect((await send([init, request('tools/list')])).status).toBe(400);
    const tooMany = Array.from({ length: 101 }, (_, i) =>
      toolCall('create_record', { table: 'sessions', data: { via: 'batch', i } }, `t${i}`),
    );
    expect((await send(tooMany)).status).toBe(400);
    await expectIntact();

    // JSON-RPC batching (protocol 2025-03-26, still accepted by the SDK): each element is one call.
    const response = await send([
      toolCall('create_record', { table: 'sessions', data: { sessionId: 'batch-a' } }, 'a'),
      toolCall('create_record', { table: 'sessions', data: { sessionId: 'batch-b' } }, 'b'),
    ]);
    expect(response.status).toBe(200);
    const after = await snapshotStore(server.runtime.records);
    expect(after.sessions?.map((r) => r.sessionId).sort()).toEqual(
      [...(before.sessions ?? []).map((r) => r.sessionId), 'batch-a', 'batch-b'].sort(),
    );
    for (const id of ['batch-a', 'batch-b'])
      await callOk(mcp, 'delete_record', { table: 'sessions', record_id: id });
    await expectIntact();
  });

  it('a 10 MB body: 413, nothing parsed', async () => {
    const response = await send(
      toolCall('create_record', {
        table: 'sessions',
        data: { blob: 'x'.repeat(10 * 1024 * 1024) },
      }),
    );
    expect(response.status).toBe(413);
    expect(response.headers.get('connection')).toBe('close');
    await expectIntact();
  });

  it('a foreign Origin is refused with 403; no Origin (a non-browser client) is served', async () => {
    const create = toolCall('create_record', { table: 'sessions', data: { via: 'evil origin' } });
    for (const origin of ['https://evil.example', 'null', 'file://']) {
      expect((await send(create, { origin })).status, origin).toBe(403);
    }
    const noOrigin = await send(toolCall('list_records', { table: 'analytics' }));
    expect(noOrigin.status).toBe(200);
    expect(noOrigin.body).toMatchObject({
      result: { structuredContent: { records: before.analytics } },
    });
    await expectIntact();
  });

  it('a missing or wrong token is refused with 401 before anything runs', async () => {
    const del = toolCall('delete_record', { table: 'sessions', record_id: seeded.sessionId });
    for (const authorization of [
      '',
      'Bearer ',
      `Bearer ${TOKEN.slice(0, -1)}`,
      `bearer${TOKEN}`,
      `Basic ${Buffer.from(`u:${TOKEN}`).toString('base64')}`,
    ]) {
      const response = await post(server.url, del, authorization ? { authorization } : {});
      expect(response.status, authorization).toBe(401);
    }
    await expectIntact();
  });

  it('an unknown tool is a JSON-RPC error -32602', async () => {
    for (const name of [
      'no_such_tool',
      'create_record ',
      'CREATE_RECORD',
      '__proto__',
      'constructor',
      'x'.repeat(10_000),
    ]) {
      const answer = await call(name, {});
      expect(answer.error?.code, name.slice(0, 20)).toBe(-32602);
      expect(answer.error?.message.length).toBeLessThan(300);
    }
    await expectIntact();
  });

  it('extra or mistyped arguments are VALIDATION errors', async () => {
    const cases: [string, unknown][] = [
      ['create_record', { table: 'sessions', data: { a: 1 }, extra: true }],
      ['create_record', { table: 5, data: {} }],
      ['create_record', { table: 'sessions', data: 'x' }],
      ['create_record', { table: 'sessions', data: [1, 2] }],
      ['create_record', { table: 'sessions' }],
      ['create_record', { table: 'sessions', data: { '': 1 } }],
      ['create_record', { table: 'sessions', data: { n: 2 ** 60 } }],
      ['read_record', { table: 'sessions', record_id: '' }],
      ['read_record', { table: 'sessions', key: { sessionId: { $ne: null } } }],
      [
        'read_record',
        { table: 'sessions', key: { sessionId: seeded.sessionId }, record_id: seeded.sessionId },
      ],
      ['update_record', { ...createSeedUpdate({ topic: 'typed' }), expected_version: '1' }],
      ['update_record', { ...createSeedUpdate({ topic: 'typed' }), expected_version: 1.5 }],
      ['update_record', { ...createSeedUpdate({ topic: 'typed' }), expected_version: 0 }],
      ['update_record', createSeedUpdate({})],
      ['update_record', createSeedUpdate({ version: 7 })],
      ['update_record', createSeedUpdate({ created_at: 'yesterday' })],
      ['delete_record', { table: 'sessions', record_id: seeded.sessionId, expected_version: -1 }],
      ['list_records', { table: 'sessions', limit: 1000 }],
      ['list_records', { table: 'sessions', limit: '10' }],
      ['list_records', { table: 'sessions', cursor: 'not-a-cursor' }],
      // A well-formed cursor of another table, and one whose key is a DynamoDB-typed object.
      [
        'list_records',
        {
          table: 'sessions',
          cursor: cursor({ v: 1, t: 'analytics', k: { date: 'x', eventId: 'y' } }),
        },
      ],
      [
        'list_records',
        {
          table: 'sessions',
          cursor: cursor({ v: 1, t: 'sessions', k: { sessionId: { S: 'x' } } }),
        },
      ],
    ];
    for (const [name, args] of cases) await expectToolError(name, args, /^VALIDATION: /);
    await expectIntact();
  });

  it('deeply nested data is refused without harm', async () => {
    let nested: unknown = 1;
    for (let i = 0; i < 40; i++) nested = { a: nested };
    await expectToolError(
      'create_record',
      { table: 'sessions', data: { nested } },
      /^VALIDATION: .*deeper than 32/,
    );
    // Thousands of levels overflow the stack before validation: refused as INTERNAL, nothing stored.
    let deep = '1';
    for (let i = 0; i < 20_000; i++) deep = `{"a":${deep}}`;
    const response = await send(
      `{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"create_record","arguments":{"table":"sessions","data":{"deep":${deep}}}}}`,
    );
    expect(response.body).toMatchObject({ result: { isError: true } });
    await expectIntact();
  });

  it('attribute names built to break an update expression are stored literally and touch nothing else', async () => {
    const odd = {
      'a = :x, #b': 'one',
      '#n0': 'two',
      ':v0': 'three',
      ')': 'four',
      'REMOVE x': 'five',
      'line\nbreak': 'six',
      'SET version = :v1': 'seven',
      '#n1 = :v1, #n2': 'eight',
      'x)': 'nine',
    };
    const updated = (await callOk(mcp, 'update_record', createSeedUpdate(odd))) as {
      record: RecordItem;
    };
    const current = before.sessions?.find((r) => r.sessionId === seeded.sessionId) ?? {};
    const expected = {
      ...current,
      ...odd,
      version: Number(current.version) + 1,
      updated_at: updated.record.updated_at,
      updated_by: 'operator', // the static token: the operator
    };
    expect(updated.record).toEqual(expected);
    await expectIntact({
      ...before,
      sessions:
        before.sessions?.map((r) => (r.sessionId === seeded.sessionId ? expected : r)) ?? [],
    });

    // The same names on create are plain attributes too.
    const created = (await callOk(mcp, 'create_record', {
      table: 'sessions',
      data: { sessionId: 'odd-names', ...odd },
    })) as { record: RecordItem };
    expect(created.record).toMatchObject({ sessionId: 'odd-names', ...odd, version: 1 });
    await callOk(mcp, 'delete_record', { table: 'sessions', record_id: 'odd-names' });
  });

  it('key attributes cannot be changed or smuggled', async () => {
    await expectToolError(
      'update_record',
      createSeedUpdate({ sessionId: 'hijacked' }),
      /^VALIDATION: data\.sessionId: is part of the key/,
    );
    const convo = { table: 'conversations', key: { sessionId: seeded.sessionId, messageId: 'm1' } };
    await expectToolError(
      'update_record',
      { ...convo, data: { messageId: 'm2' } },
      /^VALIDATION: data\.messageId/,
    );
    await expectToolError(
      'update_record',
      { ...convo, data: { sessionId: 'x', text: 'y' } },
      /^VALIDATION: data\.sessionId/,
    );
    await expectToolError(
      'update_record',
      { table: 'sessions', key: { sessionId: seeded.sessionId, messageId: 'm1' }, data: { a: 1 } },
      /^VALIDATION: key\.messageId/,
    );
    await expectToolError(
      'delete_record',
      { table: 'conversations', key: { sessionId: seeded.sessionId } },
      /^VALIDATION: key\.messageId: required/,
    );
    await expectToolError(
      'read_record',
      { table: 'conversations', record_id: seeded.sessionId },
      /^VALIDATION: record_id/,
    );
    await expectToolError(
      'create_record',
      { table: 'sessions', data: { sessionId: seeded.sessionId } },
      /^CONFLICT: /,
    );
    await expectToolError(
      'create_record',
      { table: 'conversations', data: { sessionId: 's' } },
      /^VALIDATION: data\.messageId/,
    );
    await expectToolError(
      'create_record',
      { table: 'sessions', data: { sessionId: 7 } },
      /^VALIDATION: data\.sessionId/,
    );
    await expectIntact();
  });

  it('table aliases that are ARNs, physical names or paths are refused', async () => {
    for (const table of [
      'arn:aws:dynamodb:us-east-1:123456789012:table/chatbot-sessions',
      'chatbot-sessions',
      'chatbot-conversations',
      '../sessions',
      'sessions/..',
      'sessions/../analytics',
      '..',
      'SESSIONS',
      'sessions ',
      '__proto__',
      'constructor',
      'hasOwnProperty',
    ]) {
      const text = await expectToolError(
        'list_records',
        { table },
        /^VALIDATION: table: .* is not a configured table; use one of: sessions, conversations, analytics, notes$/,
      );
      // The refusal names aliases only: physical table names never reach the client.
      if (!table.includes('chatbot-')) expect(text).not.toContain('chatbot-');
      await expectToolError(
        'delete_record',
        { table, record_id: seeded.sessionId },
        /^VALIDATION: table: /,
      );
    }
    await expectIntact();
  });

  it('an item just over 400 KB is refused on create and on update', async () => {
    // created_at's length, created_by and the version number are fixed, so the size is known exactly.
    const base = {
      sessionId: 'big-item',
      created_at: new Date().toISOString(),
      created_by: 'operator',
      version: 1,
      blob: '',
    };
    const blob = 'x'.repeat(MAX_ITEM_BYTES - itemSizeBytes(base) + 1);
    expect(itemSizeBytes({ ...base, blob })).toBe(MAX_ITEM_BYTES + 1);
    await expectToolError(
      'create_record',
      { table: 'sessions', data: { sessionId: 'big-item', blob } },
      /^VALIDATION: .*400 KB/,
    );
    await expectToolError(
      'update_record',
      createSeedUpdate({ blob: 'y'.repeat(MAX_ITEM_BYTES) }),
      /^VALIDATION: .*400 KB/,
    );
    await expectIntact();

    // One byte less is stored: the limit is the limit, not somewhere near it.
    await callOk(mcp, 'create_record', {
      table: 'sessions',
      data: { sessionId: 'big-item', blob: blob.slice(1) },
    });
    await callOk(mcp, 'delete_record', { table: 'sessions', record_id: 'big-item' });
    await expectIntact();
  });

  it('32 concurrent updates with the same expected_version: exactly one wins', async () => {
    const target = (await callOk(mcp, 'create_record', {
      table: 'sessions',
      data: { sessionId: 'contended', winner: 'none' },
    })) as { record: RecordItem };
    const start = await snapshotStore(server.runtime.records);
    const answers = await Promise.all(
      Array.from({ length: 32 }, (_, i) =>
        call('update_record', {
          table: 'sessions',
          record_id: 'contended',
          data: { winner: `writer-${i}` },
          expected_version: target.record.version,
        }),
      ),
    );
    const wins = answers.filter((a) => a.result && !a.result.isError);
    const conflicts = answers.filter(
      (a) => a.result?.isError && a.result.content[0]?.text.startsWith('CONFLICT: '),
    );
    expect(wins).toHaveLength(1);
    expect(conflicts).toHaveLength(31);
    const winner = (wins[0]?.result as unknown as { structuredContent: { record: RecordItem } })
      .structuredContent.record;
    expect(winner.version).toBe(2);

    const stored = (await callOk(mcp, 'read_record', {
      table: 'sessions',
      record_id: 'contended',
    })) as { record: RecordItem };
    expect(stored.record).toEqual(winner);
    await expectIntact({
      ...start,
      sessions: start.sessions?.map((r) => (r.sessionId === 'contended' ? winner : r)) ?? [],
    });
    await callOk(mcp, 'delete_record', { table: 'sessions', record_id: 'contended' });
  });
});
