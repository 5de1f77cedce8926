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
import { HashingEmbedder } from '../../src/adapters/local/hashing-embedder.js';
import { loadConfig } from '../../src/config.js';
import { loadToolContract } from '../../src/contract/load-contract.js';
import { DocumentService } from '../../src/documents/document-service.js';
import { createLogger, silentLogger } from '../../src/logger.js';
import type { RecordStore, TableSpec } from '../../src/ports/record-store.js';
import type { VectorStore } from '../../src/ports/vector-store.js';
import { RecordService } from '../../src/records/record-service.js';
import { TableRegistry } from '../../src/records/table-registry.js';
import { createRuntime, type Runtime } from '../../src/runtime.js';
import { ToolRegistry } from '../../src/tool-registry.js';
import { documentTools } from '../../src/tools/documents.js';
import { recordTools } from '../../src/tools/records.js';
import { gatedRuntime } from '../support/gated-record-store.js';
import { connectClient, startInProcess, type InProcessServer } from '../support/in-process.js';
import {
  ALL_TOOLS,
  DOCUMENT_TOOLS,
  RECORD_TOOLS,
  callError,
  callOk,
  callTool,
  listAllDocuments,
  textOf,
  type SearchResultItem,
} from '../support/tool-results.js';

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
    expect(contract.map((t) => t.name)).toEqual(ALL_TOOLS);
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
      expect(describedAliases(description)).toEqual([
        'sessions',
        'conversations',
        'analytics',
        'notes',
      ]);
      expect(description).toContain('sessions (key: sessionId)');
      expect(description).toContain('notes (key: id)');
      expect(description).toContain('conversations (key: sessionId + messageId)');
      expect(description).toContain('analytics (key: date + eventId)');
      expect(description).not.toContain('phys-sessions-7731');
    },
  );

  it.each(DOCUMENT_TOOLS)('%s: description is the OpenAPI one, without the tables', (name) => {
    const tool = tools.find((t) => t.name === name);
    expect(tool?.description).toBe(contract.find((t) => t.name === name)?.description);
    expect(tool?.description).not.toContain('Tables:');
  });
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
  ingest_document: async (client) => {
    const source = 'samples/ingest.html';
    const result = await callTool(client, 'ingest_document', {
      source,
      content:
        '<html><head><title>Glaze recipes</title></head><body><h1>Celadon</h1><p>Celadon glaze turns jade green in reduction.</p></body></html>',
      content_type: 'text/html',
      title: 'Glaze recipes',
      metadata: { team: 'studio', version: 3, public: true },
    });
    expect(result.structuredContent).toEqual({ source, chunks: 1, skipped: false });
    // Really indexed: searchable, with its title and metadata.
    const found = (await callOk(client, 'search_documents', {
      query: 'celadon jade reduction',
      filter: { source },
    })) as { results: SearchResultItem[] };
    expect(found.results).toHaveLength(1);
    expect(found.results[0]).toMatchObject({
      source,
      title: 'Glaze recipes',
      metadata: { team: 'studio', version: 3, public: true },
      content: expect.stringContaining('jade green') as unknown,
    });
    expect(found.results[0]?.content).not.toContain('<p>');
    return result;
  },
  search_documents: async (client) => {
    const source = 'samples/search.md';
    await callOk(client, 'ingest_document', {
      source,
      content:
        '# Tide tables\n\n## Spring tides\n\nSpring tides follow the full and the new moon.\n',
      metadata: { kind: 'sample' },
    });
    const result = await callTool(client, 'search_documents', {
      query: 'spring tides moon',
      limit: 3,
    });
    const { results } = (result.structuredContent ?? { results: [] }) as {
      results: SearchResultItem[];
    };
    expect(results[0]).toMatchObject({
      id: `${source}#0`,
      source,
      title: 'Tide tables',
      heading: 'Tide tables > Spring tides',
      metadata: { kind: 'sample' },
    });
    for (const hit of results) {
      expect(hit.score).toBeGreaterThan(0);
      expect(hit.score).toBeLessThanOrEqual(1);
    }
    expect(textOf(result)).toMatch(/^\[1\] \(score \d\.\d{3}\)$/m);
    expect(textOf(result)).toContain(
      `<passage>\n│ source: "${source}"\n│ § Tide tables > Spring tides\n`,
    );
    return result;
  },
  delete_document: async (client) => {
    const source = 'samples/delete.txt';
    const ingested = await callOk(client, 'ingest_document', {
      source,
      content: 'Obsidian flakes are volcanic glass.',
      content_type: 'text/plain',
    });
    expect((await listAllDocuments(client)).map((d) => d.source)).toContain(source);
    const result = await callTool(client, 'delete_document', { source });
    expect(result.structuredContent).toEqual({ source, deleted_chunks: ingested.chunks });
    expect((await listAllDocuments(client)).map((d) => d.source)).not.toContain(source);
    const found = (await callOk(client, 'search_documents', {
      query: 'obsidian volcanic glass',
      mode: 'keyword',
    })) as { results: SearchResultItem[] };
    expect(found.results.map((r) => r.source)).not.toContain(source);
    return result;
  },
  list_documents: async (client) => {
    for (const name of ['a', 'b']) {
      await callOk(client, 'ingest_document', {
        source: `samples/list-${name}.md`,
        content: `# List ${name}\n\nA document for the listing sample.`,
      });
    }
    // limit 1 of at least 2: the page carries a cursor, so the optional part of the schema is exercised.
    const result = await callTool(client, 'list_documents', { limit: 1 });
    const page = result.structuredContent as {
      documents: { source: string; title?: string; chunks: number; ingested_at: string }[];
      cursor?: string;
    };
    expect(page.documents).toHaveLength(1);
    expect(page.cursor).toEqual(expect.any(String));
    const all = await listAllDocuments(client);
    expect(all.map((d) => d.source)).toEqual(
      expect.arrayContaining(['samples/list-a.md', 'samples/list-b.md']),
    );
    expect(all.find((d) => d.source === 'samples/list-a.md')).toMatchObject({
      title: 'List a',
      chunks: 1,
    });
    return result;
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
    ['empty query', 'search_documents', { query: '' }, 'query'],
    ['search limit 21', 'search_documents', { query: 'x', limit: 21 }, 'limit'],
    ['unknown mode', 'search_documents', { query: 'x', mode: 'fuzzy' }, 'mode'],
    ['threshold above 1', 'search_documents', { query: 'x', threshold: 1.5 }, 'threshold'],
    [
      'nested metadata',
      'ingest_document',
      { source: 's.md', content: 'text', metadata: { owner: { name: 'x' } } },
      'metadata.owner',
    ],
    [
      'unknown content type',
      'ingest_document',
      { source: 's', content: 'x', content_type: 'application/pdf' },
      'content_type',
    ],
    ['missing source', 'delete_document', {}, 'source'],
    ['list limit 101', 'list_documents', { limit: 101 }, 'limit'],
  ])('invalid input (%s) → VALIDATION naming the field', async (_case, tool, args, field) => {
    const text = await callError(server.client, tool, args);
    expect(text).toMatch(/^VALIDATION: /);
    expect(text).toMatch(new RegExp(`(^VALIDATION: |; )${field.replace('.', '\\.')}: `));
  });

  it('a missing document → NOT_FOUND', async () => {
    const text = await callError(server.client, 'delete_document', { source: 'never-ingested.md' });
    expect(text).toMatch(/^NOT_FOUND: source: /);
    expect(text).toContain('never-ingested.md');
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
  const logger = createLogger('debug', (line) => logLines.push(line));
  const runtimes: Runtime[] = [];

  /** The real contract and tools (records and documents) over `store`, as the server builds them. */
  async function connectWith(
    store: RecordStore,
  ): Promise<Awaited<ReturnType<typeof connectClient>>> {
    const runtime = await gatedRuntime(store, { tables: [table] });
    runtimes.push(runtime);
    return connectClient(runtime.registry, logger);
  }

  /** The document tools over a DocumentService on `store` (the record tools on `throwingStore`). */
  async function connectWithVectorStore(
    store: VectorStore,
  ): Promise<Awaited<ReturnType<typeof connectClient>>> {
    const tables = new TableRegistry([table]);
    const records = new RecordService({ tables, store: throwingStore });
    const service = new DocumentService({ store, embedder: new HashingEmbedder() });
    const registry = new ToolRegistry(await loadToolContract(CONTRACT_PATH), [
      recordTools(records, tables),
      documentTools({ get: () => Promise.resolve(service), close: () => Promise.resolve() }),
    ]);
    return connectClient(registry, logger);
  }

  let connected: Awaited<ReturnType<typeof connectClient>> | undefined;
  afterEach(async () => {
    await connected?.close();
    connected = undefined;
    for (const runtime of runtimes.splice(0)) await runtime.close();
    logLines.length = 0;
  });

  /** The refusal hides the cause; the log has it under the reference the refusal names. */
  function expectHidden(text: string, tool: string, secrets: string[], logged: string): void {
    expect(text).toMatch(/^INTERNAL: /);
    expect(text).toContain(tool);
    for (const secret of secrets) expect(text).not.toContain(secret);
    expect(text).not.toMatch(/\n\s+at |\.js:\d+/);
    const reference = /reference (\w+)/.exec(text)?.[1];
    expect(reference).toBeDefined();
    const line = logLines
      .map((l) => JSON.parse(l) as Record<string, unknown>)
      .find((l) => l.reference === reference);
    expect(line).toMatchObject({
      level: 'error',
      tool,
      error: { message: expect.stringContaining(logged) },
    });
  }

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
      expectHidden(
        text,
        tool,
        ['arn:', '123456789012', 'prod-secret-sessions', 'not authorized'],
        ARN,
      );
    },
  );

  const INDEX_PATH = '/srv/secret-index/chunks.lance/_versions/7.manifest';
  const indexFailure = (): Promise<never> => {
    const error = new Error(`IO error: ${INDEX_PATH}: permission denied (uid 1042)`);
    error.stack = `${error.message}\n    at LanceDbVectorStore.search (/srv/app/dist/adapters/local/lancedb-vector-store.js:217:9)`;
    return Promise.reject(error);
  };
  const throwingIndex: VectorStore = {
    replaceDocument: indexFailure,
    getDocument: indexFailure,
    getChunks: indexFailure,
    deleteDocument: indexFailure,
    listDocuments: indexFailure,
    search: indexFailure,
    close: () => Promise.resolve(),
  };

  it.each([
    ['search_documents', { query: 'anything' }],
    ['ingest_document', { source: 'a.md', content: '# A\n\ntext' }],
    ['delete_document', { source: 'a.md' }],
    ['list_documents', {}],
  ])(
    '%s → INTERNAL without the index path or stack when the vector store fails unexpectedly',
    async (tool, args) => {
      connected = await connectWithVectorStore(throwingIndex);
      const text = await callError(connected.client, tool, args);
      expectHidden(
        text,
        tool,
        ['/srv/', 'secret-index', 'permission denied', 'uid 1042'],
        INDEX_PATH,
      );
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
