import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { CallToolResultSchema, type CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { defaultContractPath } from '../../src/contract/contract-path.js';
import { loadToolContract } from '../../src/contract/load-contract.js';
import type { ToolContract } from '../../src/contract/tool-contract.js';
import { silentLogger } from '../../src/logger.js';
import { createRuntime, type Runtime } from '../../src/runtime.js';
import { writeCallerTablesFile } from '../support/caller-probe.js';
import { makeTempDir, removeDir } from '../support/cli-process.js';
import { startTestHttpServer, type TestHttpServer } from '../support/http-server.js';
import { startTestIssuer, type TestIssuer } from '../support/test-issuer.js';

/**
 * Per-user access on the MCP HTTP endpoint, as a matrix: every tool of `mcp-tools.yaml`, every
 * resource template, both prompts and the completions, called by Bob (an OAuth access token of
 * his own) against Alice's objects: a document only she may read, one for her group, and a
 * record of hers in an owner-scoped table. The rows are keyed by what the contract and the
 * server list, so a new tool, template or prompt without a row fails here. Bob must get what an
 * unknown name gets (same words once the name is written the same) and never a word of Alice's;
 * her objects are unchanged at the end. Then read-only mode: every tool the contract marks as
 * writing is refused, and so is every tool off the allowlist (MCP_ENABLED_TOOLS); nothing changes.
 */
const SECRET = 'amethyst';
const GROUP_WORD = 'basalt';
const PRIVATE_DOC = 'private/alice-plan.md';
const GROUP_DOC = 'groups/eng-plan.md';
const PUBLIC_DOC = 'public/plan.md';
const UNKNOWN_DOC = 'private/nobody-plan.md';
const UNKNOWN_ID = '00000000-0000-4000-8000-000000000000';
const docUri = (source: string): string => `doc://${encodeURIComponent(source)}`;
/** A day both keep diary entries on (an owner-scoped table keyed by day and seq). */
const DAY = '2026-12-01';
const ALICE_SEQ = 7301;
const BOB_SEQ = 7302;
const UNKNOWN_SEQ = 7399;

/** Tables: `todos` keyed by id and `diary` keyed by day and seq, both each person's own. */
async function writeTablesFile(dir: string): Promise<string> {
  const path = join(dir, 'tables.json');
  await writeFile(
    path,
    JSON.stringify({
      tables: {
        todos: { name: 'matrix-todos', partitionKey: 'id', scope: 'owner' },
        diary: {
          name: 'matrix-diary',
          partitionKey: 'day',
          sortKey: { name: 'seq', type: 'N' },
          scope: 'owner',
        },
      },
    }),
  );
  return path;
}

function textOf(result: CallToolResult): string {
  return result.content.map((c) => (c.type === 'text' ? c.text : '')).join('');
}

/** Nothing of Alice's: her words, her sources, her record id, her name as an owner. */
function expectNothingOfAlice(value: unknown, aliceRecordId: string, what: string): void {
  const text = JSON.stringify(value);
  for (const leak of [
    SECRET,
    GROUP_WORD,
    PRIVATE_DOC,
    GROUP_DOC,
    docUri(PRIVATE_DOC),
    docUri(GROUP_DOC),
    aliceRecordId,
    '#alice',
  ])
    expect(text, `${what} shows ${leak}`).not.toContain(leak);
}

/** A tool result or a JSON-RPC error, as one comparable value with `name` written as `<name>`. */
async function outcome(run: () => Promise<unknown>, ...names: string[]): Promise<unknown> {
  let got: unknown;
  try {
    const result = await run();
    got = { result };
  } catch (error) {
    const { code, message } = error as { code?: number; message: string };
    got = { error: { code, message } };
  }
  let text = JSON.stringify(got);
  for (const name of names)
    text = text
      .split(encodeURIComponent(name))
      .join('<name>')
      .split(JSON.stringify(name).slice(1, -1))
      .join('<name>');
  return JSON.parse(text) as unknown;
}

interface Ctx {
  bob: Client;
  aliceRecordId: string;
  call(name: string, args: Record<string, unknown>): Promise<CallToolResult>;
}

/** Bob's call naming Alice's object and the same call naming nothing: answered alike. */
async function sameAsUnknown(
  ctx: Ctx,
  name: string,
  foreign: Record<string, unknown>,
  unknown: Record<string, unknown>,
  foreignName: string,
  unknownName: string,
): Promise<CallToolResult> {
  const got = await ctx.call(name, foreign);
  const baseline = await ctx.call(name, unknown);
  // The answer may repeat the name Bob sent; nothing else of Alice's.
  const named = await outcome(() => Promise.resolve(got), foreignName);
  expect(named).toEqual(await outcome(() => Promise.resolve(baseline), unknownName));
  expectNothingOfAlice(named, ctx.aliceRecordId, name);
  return got;
}

/** Reads first, then writes, then deletes: a row that wrongly succeeds must not hide the next. */
const toolRows: Record<string, (ctx: Ctx) => Promise<void>> = {
  list_records: async (ctx) => {
    const all = await ctx.call('list_records', { table: 'todos', limit: 100 });
    expect(all.isError).not.toBe(true);
    expectNothingOfAlice(all, ctx.aliceRecordId, 'list_records');
    await sameAsUnknown(
      ctx,
      'list_records',
      { table: 'todos', partition_key_value: ctx.aliceRecordId },
      { table: 'todos', partition_key_value: UNKNOWN_ID },
      ctx.aliceRecordId,
      UNKNOWN_ID,
    );
    // A partition both write to: Bob's entry, not hers.
    const day = await ctx.call('list_records', { table: 'diary', partition_key_value: DAY });
    expect(day.structuredContent).toEqual({
      records: [expect.objectContaining({ day: DAY, seq: BOB_SEQ })],
    });
    expectNothingOfAlice(day, ctx.aliceRecordId, 'list_records diary');
  },
  list_documents: async (ctx) => {
    const listed = await ctx.call('list_documents', { limit: 100 });
    expect(listed.isError).not.toBe(true);
    expect(JSON.stringify(listed)).toContain(PUBLIC_DOC);
    expectNothingOfAlice(listed, ctx.aliceRecordId, 'list_documents');
    // A cursor names a position, not a document: one made up after Alice's source is answered
    // as one after a source nobody has.
    const after = (source: string): string =>
      Buffer.from(JSON.stringify({ v: 1, after: source })).toString('base64url');
    for (const source of [PRIVATE_DOC, GROUP_DOC])
      await sameAsUnknown(
        ctx,
        'list_documents',
        { cursor: after(source) },
        { cursor: after(UNKNOWN_DOC) },
        source,
        UNKNOWN_DOC,
      );
  },
  search_documents: async (ctx) => {
    const query = `${SECRET} ${GROUP_WORD} plan milestone`;
    for (const mode of ['hybrid', 'vector', 'keyword']) {
      const found = await ctx.call('search_documents', { query, mode, limit: 20 });
      expect(found.isError).not.toBe(true);
      expect(JSON.stringify(found)).toContain(PUBLIC_DOC);
      // The answer repeats the query; the passages are what must hold nothing of Alice's.
      const passages = JSON.stringify(found).replaceAll(query, '<query>');
      expectNothingOfAlice(passages, ctx.aliceRecordId, `search_documents ${mode}`);
    }
    for (const source of [PRIVATE_DOC, GROUP_DOC])
      await sameAsUnknown(
        ctx,
        'search_documents',
        { query: 'plan milestone', filter: { source } },
        { query: 'plan milestone', filter: { source: UNKNOWN_DOC } },
        source,
        UNKNOWN_DOC,
      );
  },
  read_record: async (ctx) => {
    const got = await sameAsUnknown(
      ctx,
      'read_record',
      { table: 'todos', record_id: ctx.aliceRecordId },
      { table: 'todos', record_id: UNKNOWN_ID },
      ctx.aliceRecordId,
      UNKNOWN_ID,
    );
    expect(textOf(got)).toMatch(/^NOT_FOUND: /);
    const entry = await sameAsUnknown(
      ctx,
      'read_record',
      { table: 'diary', key: { day: DAY, seq: ALICE_SEQ } },
      { table: 'diary', key: { day: DAY, seq: UNKNOWN_SEQ } },
      String(ALICE_SEQ),
      String(UNKNOWN_SEQ),
    );
    expect(textOf(entry)).toMatch(/^NOT_FOUND: /);
  },
  // Keys are shared by everyone in a table (owner scope is a condition, not a key space): a
  // taken key is a CONFLICT for Bob as for anyone, which says that some record has it, never
  // whose it is or what it holds, and never overwrites it.
  create_record: async (ctx) => {
    const got = await ctx.call('create_record', {
      table: 'todos',
      data: { id: ctx.aliceRecordId, task: 'taken over' },
    });
    expect(got.isError).toBe(true);
    expect(textOf(got)).toMatch(/^CONFLICT: /);
    expect(textOf(got)).not.toContain(SECRET);
    expect(textOf(got)).not.toContain('#alice');
    const entry = await ctx.call('create_record', {
      table: 'diary',
      data: { day: DAY, seq: ALICE_SEQ, text: 'taken over' },
    });
    expect(textOf(entry)).toMatch(/^CONFLICT: /);
    expect(textOf(entry)).not.toContain(SECRET);
  },
  update_record: async (ctx) => {
    for (const extra of [{}, { expected_version: 1 }, { expected_version: 7 }]) {
      const got = await sameAsUnknown(
        ctx,
        'update_record',
        { table: 'todos', record_id: ctx.aliceRecordId, data: { task: 'taken over' }, ...extra },
        { table: 'todos', record_id: UNKNOWN_ID, data: { task: 'taken over' }, ...extra },
        ctx.aliceRecordId,
        UNKNOWN_ID,
      );
      expect(textOf(got)).toMatch(/^NOT_FOUND: /);
      const entry = await sameAsUnknown(
        ctx,
        'update_record',
        {
          table: 'diary',
          key: { day: DAY, seq: ALICE_SEQ },
          data: { text: 'taken over' },
          ...extra,
        },
        {
          table: 'diary',
          key: { day: DAY, seq: UNKNOWN_SEQ },
          data: { text: 'taken over' },
          ...extra,
        },
        String(ALICE_SEQ),
        String(UNKNOWN_SEQ),
      );
      expect(textOf(entry)).toMatch(/^NOT_FOUND: /);
    }
  },
  // Sources are shared like record keys: a taken one is refused, never replaced or read.
  ingest_document: async (ctx) => {
    for (const source of [PRIVATE_DOC, GROUP_DOC]) {
      const got = await ctx.call('ingest_document', {
        source,
        content: '# Plan\n\nBob was here.',
        content_type: 'text/markdown',
      });
      expect(got.isError).toBe(true);
      expect(textOf(got)).toMatch(/^CONFLICT: /);
      expect(textOf(got)).not.toContain(SECRET);
    }
  },
  delete_record: async (ctx) => {
    for (const extra of [{}, { expected_version: 1 }, { expected_version: 7 }]) {
      const got = await sameAsUnknown(
        ctx,
        'delete_record',
        { table: 'todos', record_id: ctx.aliceRecordId, ...extra },
        { table: 'todos', record_id: UNKNOWN_ID, ...extra },
        ctx.aliceRecordId,
        UNKNOWN_ID,
      );
      expect(textOf(got)).toMatch(/^NOT_FOUND: /);
      const entry = await sameAsUnknown(
        ctx,
        'delete_record',
        { table: 'diary', key: { day: DAY, seq: ALICE_SEQ }, ...extra },
        { table: 'diary', key: { day: DAY, seq: UNKNOWN_SEQ }, ...extra },
        String(ALICE_SEQ),
        String(UNKNOWN_SEQ),
      );
      expect(textOf(entry)).toMatch(/^NOT_FOUND: /);
    }
  },
  delete_document: async (ctx) => {
    for (const source of [PRIVATE_DOC, GROUP_DOC]) {
      const got = await sameAsUnknown(
        ctx,
        'delete_document',
        { source },
        { source: UNKNOWN_DOC },
        source,
        UNKNOWN_DOC,
      );
      expect(textOf(got)).toMatch(/^NOT_FOUND: /);
    }
  },
};

const templateRows: Record<string, (ctx: Ctx) => Promise<void>> = {
  'doc://{source}': async ({ bob, aliceRecordId }) => {
    for (const source of [PRIVATE_DOC, GROUP_DOC]) {
      const got = await outcome(() => bob.readResource({ uri: docUri(source) }), source);
      expect(got).toEqual(
        await outcome(() => bob.readResource({ uri: docUri(UNKNOWN_DOC) }), UNKNOWN_DOC),
      );
      expect(got).toMatchObject({ error: { code: -32002 } });
      expectNothingOfAlice(got, aliceRecordId, `resources/read ${source}`);
    }
  },
  // The table's description, never its records.
  'table://{alias}': async ({ bob, aliceRecordId }) => {
    const read = await bob.readResource({ uri: 'table://todos' });
    expect(JSON.stringify(read)).toContain('"scope\\": \\"owner');
    expectNothingOfAlice(read, aliceRecordId, 'resources/read table://todos');
  },
};

const promptRows: Record<string, (ctx: Ctx) => Promise<void>> = {
  cited_answer: async ({ bob, aliceRecordId }) => {
    const prompt = await bob.getPrompt({
      name: 'cited_answer',
      arguments: { question: `What is the ${SECRET} ${GROUP_WORD} plan milestone?` },
    });
    const text = JSON.stringify(prompt).replaceAll(`${SECRET} ${GROUP_WORD}`, 'QUESTION');
    expect(text).toContain(PUBLIC_DOC);
    expectNothingOfAlice(JSON.parse(text), aliceRecordId, 'prompt cited_answer');
  },
  summarize_document: async ({ bob, aliceRecordId }) => {
    for (const source of [PRIVATE_DOC, GROUP_DOC]) {
      const run = (s: string) => () =>
        bob.getPrompt({ name: 'summarize_document', arguments: { source: s } });
      const got = await outcome(run(source), source);
      expect(got).toEqual(await outcome(run(UNKNOWN_DOC), UNKNOWN_DOC));
      expect(got).toHaveProperty('error');
      expectNothingOfAlice(got, aliceRecordId, `prompt summarize_document ${source}`);
    }
  },
};

describe('access matrix over MCP HTTP: Bob (OAuth) against Alice’s documents and records', () => {
  let issuer: TestIssuer;
  let runtime: Runtime;
  let server: TestHttpServer;
  let dir: string;
  let contract: ToolContract[];
  const clients: Client[] = [];
  const ctx = {} as Ctx;
  let alice: Client;

  async function connectAs(subject: string, groups: string[], url = server.url): Promise<Client> {
    const now = Math.floor(Date.now() / 1000);
    const token = await issuer.sign({
      iss: issuer.issuer,
      aud: url,
      sub: subject,
      groups,
      scope: 'mcp:read mcp:write',
      iat: now,
      exp: now + 600,
    });
    const client = new Client({ name: subject, version: '0.0.0' });
    await client.connect(
      new StreamableHTTPClientTransport(new URL(url), {
        requestInit: { headers: { authorization: `Bearer ${token}` } },
      }),
    );
    clients.push(client);
    return client;
  }

  const callAs = async (client: Client, name: string, args: Record<string, unknown>) =>
    CallToolResultSchema.parse(await client.callTool({ name, arguments: args }));

  beforeAll(async () => {
    contract = await loadToolContract(defaultContractPath());
    issuer = await startTestIssuer();
    dir = await makeTempDir('mcp-access-matrix');
    runtime = await createRuntime(
      loadConfig({}, { dataDir: dir, configFile: await writeTablesFile(dir) }),
      silentLogger,
      { inMemory: true },
    );
    server = await startTestHttpServer({ runtime, env: { MCP_OAUTH_ISSUER: issuer.issuer } });
    const documents = await runtime.documents.get();
    for (const [source, word, access] of [
      [PRIVATE_DOC, SECRET, { users: ['alice'] }],
      [GROUP_DOC, GROUP_WORD, { groups: ['eng'] }],
      [PUBLIC_DOC, 'dunegrass', undefined],
    ] as const)
      await documents.ingest({
        source,
        contentType: 'text/markdown',
        content: `# The ${word} plan\n\nThe ${word} plan milestone ships in spring.`,
        ...(access && { access }),
      });
    alice = await connectAs('alice', ['eng']);
    const made = await callAs(alice, 'create_record', {
      table: 'todos',
      data: { task: `buy ${SECRET}` },
    });
    ctx.aliceRecordId = (made.structuredContent as { record: { id: string } }).record.id;
    const entry = await callAs(alice, 'create_record', {
      table: 'diary',
      data: { day: DAY, seq: ALICE_SEQ, text: `${SECRET} day` },
    });
    expect(entry.isError).not.toBe(true);
    ctx.bob = await connectAs('bob', ['sales']);
    ctx.call = (name, args) => callAs(ctx.bob, name, args);
    const his = await ctx.call('create_record', {
      table: 'diary',
      data: { day: DAY, seq: BOB_SEQ, text: 'a quiet day' },
    });
    expect(his.isError).not.toBe(true);
  }, 90_000);

  afterAll(async () => {
    for (const c of clients) await c.close().catch(() => undefined);
    await server?.close();
    await runtime?.close();
    await issuer?.close();
    await removeDir(dir);
  });

  it('has a row for every tool of the contract and every tool the server lists', async () => {
    const names = contract.map((t) => t.name).sort();
    expect(Object.keys(toolRows).sort()).toEqual(names);
    const { tools } = await ctx.bob.listTools();
    expect(tools.map((t) => t.name).sort()).toEqual(names);
  });

  it('has a row for every resource template, and resources/list shows nothing of Alice’s', async () => {
    const { resourceTemplates } = await ctx.bob.listResourceTemplates();
    expect(Object.keys(templateRows).sort()).toEqual(
      resourceTemplates.map((t) => t.uriTemplate).sort(),
    );
    const { resources } = await ctx.bob.listResources();
    expect(resources.map((r) => r.uri)).toContain(docUri(PUBLIC_DOC));
    expectNothingOfAlice(resources, ctx.aliceRecordId, 'resources/list');
  });

  it.each(Object.keys(templateRows))('resource template %s', async (template) => {
    await templateRows[template]!(ctx);
  });

  it('has a row for every prompt', async () => {
    const { prompts } = await ctx.bob.listPrompts();
    expect(Object.keys(promptRows).sort()).toEqual(prompts.map((p) => p.name).sort());
  });

  it.each(Object.keys(promptRows))('prompt %s', async (name) => {
    await promptRows[name]!(ctx);
  });

  it('completions of every template and prompt argument name nothing of Alice’s', async () => {
    const { resourceTemplates } = await ctx.bob.listResourceTemplates();
    const { prompts } = await ctx.bob.listPrompts();
    const refs = [
      ...resourceTemplates.flatMap((t) =>
        [...t.uriTemplate.matchAll(/\{(\w+)\}/g)].map((m) => ({
          ref: { type: 'ref/resource' as const, uri: t.uriTemplate },
          name: m[1]!,
        })),
      ),
      ...prompts.flatMap((p) =>
        (p.arguments ?? []).map((a) => ({
          ref: { type: 'ref/prompt' as const, name: p.name },
          name: a.name,
        })),
      ),
    ];
    let sources = 0;
    for (const { ref, name } of refs)
      for (const value of ['', 'p', 'private/', 'groups/', 'groups/eng']) {
        const { completion } = await ctx.bob.complete({ ref, argument: { name, value } });
        expectNothingOfAlice(completion, ctx.aliceRecordId, `completion ${JSON.stringify(ref)}`);
        if (completion.values.includes(PUBLIC_DOC)) sources++;
      }
    // The source completions ran (they offer Bob what he may read).
    expect(sources).toBeGreaterThanOrEqual(2);
  });

  // Last: the writing rows must not change what the rows above read.
  it.each(Object.keys(toolRows))('tool %s', async (name) => {
    await toolRows[name]!(ctx);
  });

  it('leaves Alice’s document and record as she left them', async () => {
    const record = await callAs(alice, 'read_record', {
      table: 'todos',
      record_id: ctx.aliceRecordId,
    });
    expect(record.structuredContent).toMatchObject({
      record: { task: `buy ${SECRET}`, version: 1, created_by: `${issuer.issuer}#alice` },
    });
    const entry = await callAs(alice, 'read_record', {
      table: 'diary',
      key: { day: DAY, seq: ALICE_SEQ },
    });
    expect(entry.structuredContent).toMatchObject({
      record: { text: `${SECRET} day`, version: 1 },
    });
    for (const [source, word] of [
      [PRIVATE_DOC, SECRET],
      [GROUP_DOC, GROUP_WORD],
    ]) {
      const read = await alice.readResource({ uri: docUri(source!) });
      expect(JSON.stringify(read)).toContain(`The ${word} plan milestone`);
    }
  });
});

/** Arguments that would change data, or read it, if the tool ran (valid by the contract). */
const ARGS: Record<string, Record<string, unknown>> = {
  create_record: { table: 'notes', data: { id: 'n1', text: 'written' } },
  read_record: { table: 'notes', record_id: 'n0' },
  update_record: { table: 'notes', record_id: 'n0', data: { text: 'changed' } },
  delete_record: { table: 'notes', record_id: 'n0' },
  list_records: { table: 'notes' },
  search_documents: { query: 'spring plan' },
  ingest_document: { source: 'new.md', content: '# New\n\nWritten.' },
  delete_document: { source: PUBLIC_DOC },
  list_documents: {},
};

/** The modes that narrow the tools, each with the tools it must refuse (from the contract). */
const MODES: {
  name: string;
  env: Record<string, string>;
  refused: (contract: ToolContract[]) => ToolContract[];
  code: string;
}[] = [
  {
    name: 'read-only (MCP_READ_ONLY): every tool the contract marks as writing',
    env: { MCP_READ_ONLY: 'true' },
    refused: (contract) => contract.filter((t) => !t.annotations.readOnlyHint),
    code: 'READ_ONLY',
  },
  {
    name: 'allowlist (MCP_ENABLED_TOOLS): every tool not on it',
    env: { MCP_ENABLED_TOOLS: 'search_documents,list_documents' },
    refused: (contract) =>
      contract.filter((t) => !['search_documents', 'list_documents'].includes(t.name)),
    code: 'NOT_ENABLED',
  },
];

describe.each(MODES)('MCP HTTP in $name is refused', (mode) => {
  let issuer: TestIssuer;
  let runtime: Runtime;
  let server: TestHttpServer;
  let dir: string;
  let contract: ToolContract[];
  let refused: ToolContract[];
  let client: Client;

  beforeAll(async () => {
    contract = await loadToolContract(defaultContractPath());
    refused = mode.refused(contract);
    issuer = await startTestIssuer();
    dir = await makeTempDir('mcp-access-modes');
    runtime = await createRuntime(
      loadConfig(mode.env, { dataDir: dir, configFile: await writeCallerTablesFile(dir) }),
      silentLogger,
      { inMemory: true },
    );
    server = await startTestHttpServer({ runtime, env: { MCP_OAUTH_ISSUER: issuer.issuer } });
    await (
      await runtime.documents.get()
    ).ingest({ source: PUBLIC_DOC, contentType: 'text/markdown', content: '# Plan\n\nSpring.' });
    await runtime.records.create('notes', { id: 'n0', text: 'kept' });
    const now = Math.floor(Date.now() / 1000);
    const token = await issuer.sign({
      iss: issuer.issuer,
      aud: server.url,
      sub: 'alice',
      scope: 'mcp:read mcp:write',
      iat: now,
      exp: now + 600,
    });
    client = new Client({ name: 'alice', version: '0.0.0' });
    await client.connect(
      new StreamableHTTPClientTransport(new URL(server.url), {
        requestInit: { headers: { authorization: `Bearer ${token}` } },
      }),
    );
  }, 90_000);

  afterAll(async () => {
    await client?.close().catch(() => undefined);
    await server?.close();
    await runtime?.close();
    await issuer?.close();
    await removeDir(dir);
  });

  it('has arguments for every tool of the contract, and refuses some', () => {
    expect(Object.keys(ARGS).sort()).toEqual(contract.map((t) => t.name).sort());
    expect(refused.length).toBeGreaterThan(0);
  });

  it('lists none of the refused tools, and every other one', async () => {
    const { tools } = await client.listTools();
    expect(tools.map((t) => t.name).sort()).toEqual(
      contract
        .filter((t) => !refused.includes(t))
        .map((t) => t.name)
        .sort(),
    );
  });

  it('refuses each of them when called anyway, and nothing changes', async () => {
    for (const t of refused) {
      const result = CallToolResultSchema.parse(
        await client.callTool({ name: t.name, arguments: ARGS[t.name] }),
      );
      expect(result.isError, `${t.name} ran`).toBe(true);
      expect(textOf(result)).toMatch(new RegExp(`^${mode.code}: ${t.name} `));
    }
    const records = await runtime.records.list('notes', { limit: 100 });
    expect(records.items).toEqual([expect.objectContaining({ id: 'n0', text: 'kept' })]);
    const docs = await (await runtime.documents.get()).listDocuments({ limit: 100 });
    expect(docs.documents.map((d) => d.source)).toEqual([PUBLIC_DOC]);
  });
});
