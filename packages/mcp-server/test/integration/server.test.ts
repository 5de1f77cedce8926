import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import SwaggerParser from '@apidevtools/swagger-parser';
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import {
  ErrorCode,
  McpError,
  type CallToolResult,
  type Tool,
} from '@modelcontextprotocol/sdk/types.js';
import { Ajv2020 } from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { loadToolContract } from '../../src/contract/load-contract.js';
import { createLogger, silentLogger } from '../../src/logger.js';
import type { RecordStore, TableSpec } from '../../src/ports/record-store.js';
import { RecordService } from '../../src/records/record-service.js';
import { TableRegistry } from '../../src/records/table-registry.js';
import { createRuntime } from '../../src/runtime.js';
import { ToolRegistry } from '../../src/tool-registry.js';
import { recordTools } from '../../src/tools/records.js';
import { connectClient, startInProcess, type InProcessServer } from '../support/in-process.js';
import { callError, callOk, callTool, textOf } from '../support/tool-results.js';

const CONTRACT_PATH = fileURLToPath(new URL('../../../../openapi/mcp-tools.yaml', import.meta.url));

interface ExpectedTool {
  name: string;
  title: string | undefined;
  description: string;
  inputSchema: unknown;
  outputSchema: unknown;
  annotations: unknown;
}

/** The tools as the OpenAPI file defines them, read here independently of the server's loader. */
async function expectedTools(): Promise<ExpectedTool[]> {
  const api = (await SwaggerParser.dereference(CONTRACT_PATH)) as unknown as {
    paths: Record<string, Record<string, Record<string, unknown>>>;
  };
  return Object.values(api.paths).map((item) => {
    const op = item.post as {
      operationId: string;
      summary?: string;
      description: string;
      requestBody: { content: { 'application/json': { schema: unknown } } };
      responses: { '200': { content: { 'application/json': { schema: unknown } } } };
      'x-mcp-annotations': unknown;
    };
    const json = (v: unknown): unknown => JSON.parse(JSON.stringify(v));
    return {
      name: op.operationId,
      title: op.summary,
      description: op.description.trim().replace(/\s+/g, ' '),
      inputSchema: json(op.requestBody.content['application/json'].schema),
      outputSchema: json(op.responses['200'].content['application/json'].schema),
      annotations: op['x-mcp-annotations'],
    };
  });
}

const contract = await expectedTools();
const RECORD_TOOLS = [
  'create_record',
  'read_record',
  'update_record',
  'delete_record',
  'list_records',
];

/** `Tables: a (key: …); b (key: …).` from a record tool's description → the aliases named. */
function describedAliases(description: string): string[] {
  const tables = /Tables: (.*)\.$/.exec(description)?.[1];
  expect(tables, `no "Tables: …" in ${description}`).toBeDefined();
  return (tables ?? '').split('; ').map((entry) => entry.split(' ')[0] ?? '');
}

async function tempDir(): Promise<string> {
  return mkdtemp(join(tmpdir(), 'mcp-int-'));
}

describe('tools/list', () => {
  let server: InProcessServer;
  let tools: Tool[];
  beforeAll(async () => {
    server = await startInProcess({ env: { SESSIONS_TABLE: 'phys-sessions-7731' } });
    ({ tools } = await server.client.listTools());
  });
  afterAll(() => server.close());

  it('serves exactly the operations of the OpenAPI file, in order', () => {
    expect(tools.map((t) => t.name)).toEqual(contract.map((t) => t.name));
    expect(contract.map((t) => t.name)).toEqual(expect.arrayContaining(RECORD_TOOLS));
  });

  it.each(contract.map((t) => [t.name, t] as const))(
    '%s: schemas are the dereferenced OpenAPI schemas, annotations are x-mcp-annotations',
    (name, expected) => {
      const tool = tools.find((t) => t.name === name);
      expect(tool).toBeDefined();
      expect(tool?.inputSchema).toEqual(expected.inputSchema);
      expect(tool?.outputSchema).toEqual(expected.outputSchema);
      expect(tool?.title).toBe(expected.title);
      expect(tool?.annotations).toEqual({
        ...(expected.title !== undefined && { title: expected.title }),
        ...(expected.annotations as object),
      });
      expect(tool?.description?.startsWith(expected.description)).toBe(true);
      // Dereferenced: a client gets self-contained schemas.
      expect(JSON.stringify(tool?.inputSchema)).not.toContain('$ref');
      expect(JSON.stringify(tool?.outputSchema)).not.toContain('$ref');
    },
  );

  it.each(RECORD_TOOLS)(
    '%s: description names the configured tables and their keys, not physical names',
    (name) => {
      const description = tools.find((t) => t.name === name)?.description ?? '';
      expect(describedAliases(description)).toEqual(['sessions', 'conversations', 'analytics']);
      expect(description).toContain('sessions (key: sessionId)');
      expect(description).toContain('conversations (key: sessionId + messageId)');
      expect(description).toContain('analytics (key: date + eventId)');
      expect(description).not.toContain('phys-sessions-7731');
    },
  );
});

type SampleCall = (client: Client) => Promise<CallToolResult>;

/**
 * One successful call per tool, with whatever set-up it needs. A tool added to the OpenAPI file
 * without an entry here fails the output-schema test below.
 */
const SAMPLE_CALLS: Record<string, SampleCall> = {
  create_record: (client) =>
    callTool(client, 'create_record', {
      table: 'conversations',
      data: {
        sessionId: 's-create',
        messageId: 'm1',
        text: 'hi',
        meta: { n: 1, ok: true, none: null },
      },
    }),
  read_record: async (client) => {
    await callOk(client, 'create_record', {
      table: 'sessions',
      data: { sessionId: 's-read', topic: 't' },
    });
    return callTool(client, 'read_record', { table: 'sessions', record_id: 's-read' });
  },
  update_record: async (client) => {
    await callOk(client, 'create_record', {
      table: 'analytics',
      data: { date: '2026-01-01', eventId: 'e1', count: 1 },
    });
    return callTool(client, 'update_record', {
      table: 'analytics',
      key: { date: '2026-01-01', eventId: 'e1' },
      data: { count: 2, labels: ['x'] },
      expected_version: 1,
    });
  },
  delete_record: async (client) => {
    await callOk(client, 'create_record', { table: 'sessions', data: { sessionId: 's-delete' } });
    return callTool(client, 'delete_record', { table: 'sessions', record_id: 's-delete' });
  },
  list_records: async (client) => {
    for (const messageId of ['a', 'b', 'c']) {
      await callOk(client, 'create_record', {
        table: 'conversations',
        data: { sessionId: 's-list', messageId },
      });
    }
    // limit 2 of 3: the page carries a cursor, so the optional part of the schema is exercised.
    return callTool(client, 'list_records', {
      table: 'conversations',
      partition_key_value: 's-list',
      limit: 2,
    });
  },
};

describe('tool output', () => {
  const ajv = new Ajv2020({ allErrors: true, allowUnionTypes: true, strict: true });
  addFormats.default(ajv);
  let server: InProcessServer;
  let tools: Tool[];
  beforeAll(async () => {
    server = await startInProcess();
    ({ tools } = await server.client.listTools());
  });
  afterAll(() => server.close());

  it('has a sample call for every served tool', () => {
    expect(tools.length).toBeGreaterThan(0);
    const missing = tools.map((t) => t.name).filter((name) => !(name in SAMPLE_CALLS));
    expect(missing, 'tools without an entry in SAMPLE_CALLS').toEqual([]);
  });

  it.each(contract.map((t) => t.name))(
    '%s: real output validates against its outputSchema',
    async (name) => {
      const tool = tools.find((t) => t.name === name);
      const sample = SAMPLE_CALLS[name];
      expect(tool, `${name} is not served`).toBeDefined();
      expect(sample, `no sample call for ${name}; add one to SAMPLE_CALLS`).toBeDefined();
      if (!tool || !sample) return;

      const result = await sample(server.client);
      expect(result.isError ?? false, textOf(result)).toBe(false);
      expect(result.content.some((b) => b.type === 'text' && b.text.length > 0)).toBe(true);
      const validate = ajv.compile(tool.outputSchema ?? {});
      expect(validate(result.structuredContent), ajv.errorsText(validate.errors)).toBe(true);
    },
  );

  it('list_records pages with the cursor until the last page', async () => {
    for (const messageId of ['p1', 'p2', 'p3', 'p4', 'p5']) {
      await callOk(server.client, 'create_record', {
        table: 'conversations',
        data: { sessionId: 's-pages', messageId },
      });
    }
    const seen: unknown[] = [];
    let cursor: string | undefined;
    let pages = 0;
    do {
      const page = (await callOk(server.client, 'list_records', {
        table: 'conversations',
        partition_key_value: 's-pages',
        limit: 2,
        ...(cursor !== undefined && { cursor }),
      })) as { records: { messageId: string }[]; cursor?: string };
      seen.push(...page.records.map((r) => r.messageId));
      cursor = page.cursor;
      pages++;
    } while (cursor !== undefined && pages < 10);
    expect(seen.sort()).toEqual(['p1', 'p2', 'p3', 'p4', 'p5']);
    expect(pages).toBe(3);
  });
});

describe('errors', () => {
  let server: InProcessServer;
  beforeAll(async () => {
    server = await startInProcess();
  });
  afterAll(() => server.close());

  it('an unknown tool is a JSON-RPC invalid-params error', async () => {
    const call = server.client.callTool({ name: 'drop_table', arguments: {} });
    await expect(call).rejects.toBeInstanceOf(McpError);
    await expect(call).rejects.toMatchObject({ code: ErrorCode.InvalidParams });
    expect(ErrorCode.InvalidParams).toBe(-32602);
    await expect(call).rejects.toThrow(/drop_table/);
  });

  it.each([
    ['missing required field', 'create_record', { table: 'sessions' }, 'data'],
    ['extra field', 'create_record', { table: 'sessions', data: {}, owner: 'me' }, 'owner'],
    ['wrong type', 'read_record', { table: 'sessions', record_id: 42 }, 'record_id'],
    [
      'wrong type inside an object',
      'read_record',
      { table: 'sessions', key: { sessionId: true } },
      'key.sessionId',
    ],
    ['limit 0', 'list_records', { table: 'sessions', limit: 0 }, 'limit'],
    ['limit 101', 'list_records', { table: 'sessions', limit: 101 }, 'limit'],
    ['non-integer limit', 'list_records', { table: 'sessions', limit: 2.5 }, 'limit'],
    ['unknown table', 'list_records', { table: 'arn:aws:dynamodb:us-east-1:1:table/x' }, 'table'],
  ])('invalid input (%s) → VALIDATION naming the field', async (_case, tool, args, field) => {
    const text = await callError(server.client, tool, args);
    expect(text).toMatch(/^VALIDATION: /);
    expect(text).toMatch(new RegExp(`(^VALIDATION: |; )${field.replace('.', '\\.')}: `));
  });

  it('a missing record → NOT_FOUND', async () => {
    for (const [tool, extra] of [
      ['read_record', {}],
      ['update_record', { data: { a: 1 } }],
      ['delete_record', {}],
    ] as const) {
      const text = await callError(server.client, tool, {
        table: 'sessions',
        record_id: 'no-such-id',
        ...extra,
      });
      expect(text, tool).toMatch(/^NOT_FOUND: /);
    }
  });

  it('an existing key or a stale expected_version → CONFLICT, and nothing changes', async () => {
    const data = { sessionId: 's-conflict', topic: 'first' };
    await callOk(server.client, 'create_record', { table: 'sessions', data });
    expect(
      await callError(server.client, 'create_record', {
        table: 'sessions',
        data: { ...data, topic: 'second' },
      }),
    ).toMatch(/^CONFLICT: /);
    await callOk(server.client, 'update_record', {
      table: 'sessions',
      record_id: 's-conflict',
      data: { topic: 'v2' },
    });
    const stale = { table: 'sessions', record_id: 's-conflict', expected_version: 1 };
    expect(
      await callError(server.client, 'update_record', { ...stale, data: { topic: 'lost' } }),
    ).toMatch(/^CONFLICT: /);
    expect(await callError(server.client, 'delete_record', stale)).toMatch(/^CONFLICT: /);
    const read = await callOk(server.client, 'read_record', {
      table: 'sessions',
      record_id: 's-conflict',
    });
    expect(read.record).toMatchObject({ topic: 'v2', version: 2 });
  });
});

describe('tables file with a read-only table', () => {
  let dir: string;
  let server: InProcessServer;
  beforeAll(async () => {
    dir = await tempDir();
    const file = join(dir, 'tables.yaml');
    await writeFile(
      file,
      [
        'tables:',
        '  notes: { name: team-notes-4411, partitionKey: id }',
        '  events: { name: team-events-4412, partitionKey: day, sortKey: { name: seq, type: N }, access: read-only }',
        '',
      ].join('\n'),
    );
    server = await startInProcess({ env: { CHATBOT_CONFIG: file } });
  });
  afterAll(async () => {
    await server.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('descriptions name exactly the configured aliases and mark the read-only one', async () => {
    const { tools } = await server.client.listTools();
    const description = tools.find((t) => t.name === 'create_record')?.description ?? '';
    expect(describedAliases(description)).toEqual(['notes', 'events']);
    expect(description).toContain('events (key: day + seq, read-only)');
    expect(description).not.toMatch(/team-notes-4411|team-events-4412/);
  });

  it('writes to the read-only table → READ_ONLY; reads and lists still work', async () => {
    const key = { day: '2026-01-01', seq: 1 };
    expect(await callError(server.client, 'create_record', { table: 'events', data: key })).toMatch(
      /^READ_ONLY: /,
    );
    expect(
      await callError(server.client, 'update_record', { table: 'events', key, data: { a: 1 } }),
    ).toMatch(/^READ_ONLY: /);
    expect(await callError(server.client, 'delete_record', { table: 'events', key })).toMatch(
      /^READ_ONLY: /,
    );
    expect(await callError(server.client, 'read_record', { table: 'events', key })).toMatch(
      /^NOT_FOUND: /,
    );
    expect(await callOk(server.client, 'list_records', { table: 'events' })).toEqual({
      records: [],
    });
    await callOk(server.client, 'create_record', { table: 'notes', data: { id: 'n1' } });
  });

  it('the default tables are gone', async () => {
    const text = await callError(server.client, 'list_records', { table: 'sessions' });
    expect(text).toMatch(/^VALIDATION: table: /);
    expect(text).toContain('use one of: notes, events');
  });
});

describe('an unexpected error', () => {
  const ARN = 'arn:aws:dynamodb:eu-west-1:123456789012:table/prod-secret-sessions';
  const table: TableSpec = {
    alias: 'sessions',
    name: 'prod-secret-sessions',
    partitionKey: { name: 'sessionId', type: 'S' },
    access: 'read-write',
    ttlAttribute: 'ttl',
  };
  const boom = (): Error => {
    const error = new Error(
      `User: arn:aws:iam::123456789012:user/ci is not authorized to perform dynamodb:PutItem on resource: ${ARN}`,
    );
    error.stack = `${error.message}\n    at DynamoDbRecordStore.create (/srv/app/dist/adapters/aws/dynamodb-record-store.js:42:11)`;
    return error;
  };
  const throwingStore: RecordStore = {
    create: () => Promise.reject(boom()),
    get: () => Promise.reject(boom()),
    update: () => Promise.reject(boom()),
    delete: () => Promise.reject(boom()),
    list: () => Promise.reject(boom()),
  };
  const logLines: string[] = [];

  async function connectWith(
    store: RecordStore,
  ): Promise<Awaited<ReturnType<typeof connectClient>>> {
    const tables = new TableRegistry([table]);
    const service = new RecordService({ tables, store });
    const registry = new ToolRegistry(await loadToolContract(CONTRACT_PATH), [
      recordTools(service, tables),
    ]);
    return connectClient(
      registry,
      createLogger('debug', (line) => logLines.push(line)),
    );
  }

  let connected: Awaited<ReturnType<typeof connectClient>> | undefined;
  afterEach(async () => {
    await connected?.close();
    connected = undefined;
    logLines.length = 0;
  });

  it.each([
    ['create_record', { table: 'sessions', data: { topic: 'x' } }],
    ['read_record', { table: 'sessions', record_id: 's1' }],
    ['update_record', { table: 'sessions', record_id: 's1', data: { topic: 'y' } }],
    ['delete_record', { table: 'sessions', record_id: 's1' }],
    ['list_records', { table: 'sessions' }],
  ])(
    '%s → INTERNAL without ARN, physical table name or stack; details only in the log',
    async (tool, args) => {
      connected = await connectWith(throwingStore);
      const text = await callError(connected.client, tool, args);
      expect(text).toMatch(/^INTERNAL: /);
      expect(text).toContain(tool);
      expect(text).not.toContain('arn:');
      expect(text).not.toContain('123456789012');
      expect(text).not.toContain('prod-secret-sessions');
      expect(text).not.toContain('not authorized');
      expect(text).not.toMatch(/\n\s+at |\.js:\d+/);

      const reference = /reference (\w+)/.exec(text)?.[1];
      expect(reference).toBeDefined();
      const logged = logLines
        .map((l) => JSON.parse(l) as Record<string, unknown>)
        .find((l) => l.reference === reference);
      expect(logged).toMatchObject({
        level: 'error',
        tool,
        error: { message: expect.stringContaining(ARN) },
      });
    },
  );

  it('output that breaks the outputSchema → INTERNAL, not the bad output', async () => {
    const badStore: RecordStore = {
      ...throwingStore,
      get: () => Promise.resolve({ sessionId: 's1' }),
      list: () => Promise.resolve({ items: [], cursor: 42 as unknown as string }),
    };
    connected = await connectWith(badStore);
    const text = await callError(connected.client, 'list_records', { table: 'sessions' });
    expect(text).toMatch(/^INTERNAL: /);
    expect(logLines.join('\n')).toContain('breaks its outputSchema');
    await callOk(connected.client, 'read_record', { table: 'sessions', record_id: 's1' });
  });
});

describe('a broken OpenAPI file', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await tempDir();
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  it.each([
    [
      'a non-snake_case operationId',
      'operationId: read_record',
      'operationId: readRecord',
      /readRecord.*snake_case/,
    ],
    [
      'an operation without a handler',
      'operationId: list_records',
      'operationId: list_everything',
      /list_everything has no handler[\s\S]*list_records is implemented but missing/,
    ],
    [
      'missing x-mcp-annotations',
      /x-mcp-annotations:\n(\s+\w+: \w+\n){4}/.source,
      '',
      /operation create_record .*x-mcp-annotations/,
    ],
  ])(
    'with %s makes createRuntime reject, naming the operation',
    async (_case, find, replace, message) => {
      const original = await readFile(CONTRACT_PATH, 'utf8');
      const broken = original.replace(new RegExp(find), replace);
      expect(broken).not.toBe(original);
      const path = join(dir, `broken-${Math.random().toString(36).slice(2)}.yaml`);
      await writeFile(path, broken);
      const runtime = createRuntime(loadConfig({}, { dataDir: dir }), silentLogger, {
        inMemory: true,
        contractPath: path,
      });
      await expect(runtime).rejects.toThrow(message);
    },
  );
});
