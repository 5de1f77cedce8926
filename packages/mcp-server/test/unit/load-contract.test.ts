import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse, stringify } from 'yaml';
import { defaultContractPath } from '../../src/contract/contract-path.js';
import { loadToolContract } from '../../src/contract/load-contract.js';
import { ConfigError } from '../../src/errors.js';

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any -- edits of parsed YAML

const realPath = defaultContractPath();

describe('loadToolContract', () => {
  let dir: string;
  let n = 0;

  /** A copy of the real contract with `edit` applied, written to the temp folder. */
  function brokenCopy(edit: (doc: Json) => void): string {
    const doc = parse(readFileSync(realPath, 'utf8')) as Json;
    edit(doc);
    const path = join(dir, `contract-${n++}.yaml`);
    writeFileSync(path, stringify(doc));
    return path;
  }

  /** Loads `path` expecting a ConfigError, and returns its message. */
  async function failureOf(path: string): Promise<string> {
    const error: unknown = await loadToolContract(path).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error, `${path} loaded without error`).toBeInstanceOf(ConfigError);
    const message = (error as Error).message;
    expect(message).toContain(path);
    return message;
  }

  const op = (doc: Json, tool: string): Json => doc.paths[`/tools/${tool}`].post as Json;

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'mcp-contract-'));
  });
  afterAll(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  it('loads the nine tools from openapi/mcp-tools.yaml, in file order, with their annotations', async () => {
    const tools = await loadToolContract(realPath);
    expect(tools.map((t) => t.name)).toEqual([
      'create_record',
      'read_record',
      'update_record',
      'delete_record',
      'list_records',
      'search_documents',
      'ingest_document',
      'delete_document',
      'list_documents',
    ]);
    const byName = Object.fromEntries(tools.map((t) => [t.name, t]));
    const hints = (name: string): unknown => byName[name]?.annotations;
    const annotations = (
      readOnlyHint: boolean,
      destructiveHint: boolean,
      idempotentHint: boolean,
    ): Record<string, boolean> => ({
      readOnlyHint,
      destructiveHint,
      idempotentHint,
      openWorldHint: false,
    });
    // readOnly, destructive, idempotent
    expect(hints('create_record')).toEqual(annotations(false, false, false));
    expect(hints('read_record')).toEqual(annotations(true, false, true));
    expect(hints('update_record')).toEqual(annotations(false, true, false));
    expect(hints('delete_record')).toEqual(annotations(false, true, true));
    expect(hints('list_records')).toEqual(annotations(true, false, true));
    expect(hints('search_documents')).toEqual(annotations(true, false, true));
    expect(hints('list_documents')).toEqual(annotations(true, false, true));
    // Ingesting replaces a source's passages (destructive); the same content twice is a no-op.
    expect(hints('ingest_document')).toEqual(annotations(false, true, true));
    expect(hints('delete_document')).toEqual(annotations(false, true, true));
  });

  it('dereferences schemas, keeps titles and flattens descriptions', async () => {
    const tools = await loadToolContract(realPath);
    const read = tools.find((t) => t.name === 'read_record')!;
    expect(read.title).toBe('Read record');
    expect(read.description).not.toMatch(/\n|\s{2}/);
    expect(JSON.stringify(tools)).not.toContain('$ref');
    expect(read.inputSchema).toMatchObject({
      type: 'object',
      required: ['table'],
      properties: { table: { type: 'string' } },
    });
    expect(read.outputSchema).toMatchObject({ type: 'object', required: ['record'] });
    // References nested in a document tool's schemas are resolved too.
    const search = tools.find((t) => t.name === 'search_documents')!;
    expect(search.inputSchema).toMatchObject({
      required: ['query'],
      properties: {
        filter: {
          properties: {
            source: { type: 'string', maxLength: 1024 },
            metadata: { type: 'object', maxProperties: 32 },
          },
        },
      },
    });
    expect(search.outputSchema).toMatchObject({
      properties: {
        results: { items: { properties: { score: { type: 'number', minimum: 0, maximum: 1 } } } },
      },
    });
    // Each tool gets its own copy of shared schemas.
    const create = tools.find((t) => t.name === 'create_record')!;
    expect((create.inputSchema.properties as Json).table).not.toBe(
      (read.inputSchema.properties as Json).table,
    );
  });

  it('refuses an operation without operationId, naming the operation', async () => {
    const message = await failureOf(brokenCopy((doc) => delete op(doc, 'read_record').operationId));
    expect(message).toContain('POST /tools/read_record: operationId is missing');
  });

  it('refuses a tool name that is not snake_case', async () => {
    const message = await failureOf(
      brokenCopy((doc) => (op(doc, 'read_record').operationId = 'readRecord')),
    );
    expect(message).toContain(
      'operation readRecord (POST /tools/read_record): operationId must be snake_case, at most 64 characters',
    );
  });

  it('refuses a tool name over 64 characters', async () => {
    const long = `read_${'x'.repeat(60)}`;
    expect(long).toHaveLength(65);
    const message = await failureOf(
      brokenCopy((doc) => (op(doc, 'read_record').operationId = long)),
    );
    expect(message).toContain(
      `operation ${long} (POST /tools/read_record): operationId must be snake_case, at most 64 characters`,
    );
  });

  it('accepts a tool name of exactly 64 characters', async () => {
    const name = `read_${'x'.repeat(59)}`;
    const tools = await loadToolContract(
      brokenCopy((doc) => (op(doc, 'read_record').operationId = name)),
    );
    expect(tools.map((t) => t.name)).toContain(name);
  });

  it('refuses a duplicate operationId', async () => {
    const message = await failureOf(
      brokenCopy((doc) => (op(doc, 'delete_record').operationId = 'read_record')),
    );
    expect(message).toContain('operation read_record: operationId is used twice');
  });

  it('refuses a missing x-mcp-annotations field, naming it', async () => {
    const message = await failureOf(
      brokenCopy((doc) => delete op(doc, 'update_record')['x-mcp-annotations'].idempotentHint),
    );
    expect(message).toContain(
      'operation update_record (POST /tools/update_record): x-mcp-annotations.idempotentHint must be true or false',
    );
  });

  it('refuses a missing or unknown annotation block', async () => {
    const missing = await failureOf(
      brokenCopy((doc) => delete op(doc, 'list_records')['x-mcp-annotations']),
    );
    expect(missing).toContain(
      'operation list_records (POST /tools/list_records): x-mcp-annotations is missing',
    );
    const unknown = await failureOf(
      brokenCopy((doc) => (op(doc, 'list_records')['x-mcp-annotations'].safeHint = true)),
    );
    expect(unknown).toContain('x-mcp-annotations.safeHint is not an MCP tool annotation');
    const notBoolean = await failureOf(
      brokenCopy((doc) => (op(doc, 'list_records')['x-mcp-annotations'].readOnlyHint = 'yes')),
    );
    expect(notBoolean).toContain(
      'operation list_records (POST /tools/list_records): x-mcp-annotations.readOnlyHint must be true or false',
    );
  });

  it('refuses a request schema that is not an object', async () => {
    const message = await failureOf(
      brokenCopy(
        (doc) =>
          (op(doc, 'create_record').requestBody.content['application/json'].schema = {
            type: 'string',
          }),
      ),
    );
    expect(message).toContain(
      'operation create_record (POST /tools/create_record): requestBody.content.application/json.schema must be a schema of type object',
    );
  });

  it('refuses a response schema that is not an object, and a missing description', async () => {
    const message = await failureOf(
      brokenCopy((doc) => {
        op(doc, 'create_record').responses['200'].content['application/json'].schema = {
          type: 'array',
        };
        delete op(doc, 'read_record').description;
      }),
    );
    expect(message).toContain(
      'operation create_record (POST /tools/create_record): responses.200.content.application/json.schema must be a schema of type object',
    );
    // Every problem is reported at once.
    expect(message).toContain(
      'operation read_record (POST /tools/read_record): description is missing',
    );
  });

  it('refuses an operation that is not POST', async () => {
    const message = await failureOf(
      brokenCopy((doc) => {
        const item = doc.paths['/tools/read_record'] as Json;
        item.get = item.post;
        delete item.post;
      }),
    );
    expect(message).toContain(
      'GET /tools/read_record: tools are POST operations; change the method to post',
    );
  });

  it('refuses a document that is not valid OpenAPI', async () => {
    const message = await failureOf(
      brokenCopy((doc) => (op(doc, 'read_record').responses = 'none')),
    );
    expect(message).toMatch(/is not a valid OpenAPI document/);
    expect(await failureOf(brokenCopy((doc) => delete doc.info))).toMatch(
      /is not a valid OpenAPI document/,
    );
  });

  it('refuses a document without operations', async () => {
    const message = await failureOf(brokenCopy((doc) => (doc.paths = {})));
    expect(message).toContain('paths: no operations defined');
  });
});
