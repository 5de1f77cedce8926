import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { CallToolResultSchema, type CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { expect } from 'vitest';

export const RECORD_TOOLS = [
  'create_record',
  'read_record',
  'update_record',
  'delete_record',
  'list_records',
];
export const DOCUMENT_TOOLS = [
  'search_documents',
  'ingest_document',
  'delete_document',
  'list_documents',
];
/** Every tool of openapi/mcp-tools.yaml, in the order of the file (and of tools/list). */
export const ALL_TOOLS = [...RECORD_TOOLS, ...DOCUMENT_TOOLS];

/** Calls a tool and returns the result in the current (content + structuredContent) shape. */
export async function callTool(
  client: Client,
  name: string,
  args: Record<string, unknown>,
): Promise<CallToolResult> {
  return CallToolResultSchema.parse(await client.callTool({ name, arguments: args }));
}

/** The text of the result's text blocks, joined. */
export function textOf(result: CallToolResult): string {
  return result.content.flatMap((block) => (block.type === 'text' ? [block.text] : [])).join('\n');
}

/** A successful call's structured content; fails the test, showing the error text, otherwise. */
export async function callOk(
  client: Client,
  name: string,
  args: Record<string, unknown>,
): Promise<Record<string, unknown>> {
  const result = await callTool(client, name, args);
  expect(result.isError ?? false, `${name} failed: ${textOf(result)}`).toBe(false);
  expect(result.structuredContent).toBeTypeOf('object');
  return result.structuredContent as Record<string, unknown>;
}

/** A refused call's error text (which starts with its code). */
export async function callError(
  client: Client,
  name: string,
  args: Record<string, unknown>,
): Promise<string> {
  const result = await callTool(client, name, args);
  expect(result.isError, `${name} should have failed but returned ${textOf(result)}`).toBe(true);
  expect(result.structuredContent).toBeUndefined();
  return textOf(result);
}

/**
 * create → read → update → list → delete → read again, on the default `sessions` and
 * `conversations` tables, checking each step's result. Shared by every transport's e2e test.
 */
export async function recordRoundTrip(client: Client): Promise<void> {
  const created = (await callOk(client, 'create_record', {
    table: 'sessions',
    data: { topic: 'round trip', tags: ['a', 'b'], score: 7 },
  })) as { record: Record<string, unknown> };
  const sessionId = created.record.sessionId;
  expect(sessionId).toMatch(/^[0-9a-f-]{36}$/);
  expect(created.record).toMatchObject({
    topic: 'round trip',
    tags: ['a', 'b'],
    score: 7,
    version: 1,
  });

  const read = await callOk(client, 'read_record', { table: 'sessions', record_id: sessionId });
  expect(read).toEqual({ record: created.record });

  const updated = (await callOk(client, 'update_record', {
    table: 'sessions',
    record_id: sessionId,
    data: { topic: 'renamed' },
    expected_version: 1,
  })) as { record: Record<string, unknown> };
  expect(updated.record).toMatchObject({ sessionId, topic: 'renamed', score: 7, version: 2 });
  expect(updated.record.updated_at).toBeTypeOf('string');

  for (const messageId of ['m1', 'm2']) {
    await callOk(client, 'create_record', {
      table: 'conversations',
      data: { sessionId, messageId, text: `hello ${messageId}` },
    });
  }
  const listed = (await callOk(client, 'list_records', {
    table: 'conversations',
    partition_key_value: sessionId,
  })) as { records: Record<string, unknown>[]; cursor?: string };
  expect(listed.records.map((r) => r.messageId).sort()).toEqual(['m1', 'm2']);
  expect(listed.cursor).toBeUndefined();

  const deleted = await callOk(client, 'delete_record', {
    table: 'sessions',
    record_id: sessionId,
    expected_version: 2,
  });
  expect(deleted).toEqual({ deleted: updated.record });

  const gone = await callError(client, 'read_record', { table: 'sessions', record_id: sessionId });
  expect(gone).toMatch(/^NOT_FOUND: /);
}

export interface ListedDocument {
  source: string;
  title?: string;
  chunks: number;
  ingested_at: string;
}

/** Every document, following list_documents' cursor to the last page. */
export async function listAllDocuments(client: Client, limit = 100): Promise<ListedDocument[]> {
  const documents: ListedDocument[] = [];
  let cursor: string | undefined;
  let pages = 0;
  do {
    const page = (await callOk(client, 'list_documents', {
      limit,
      ...(cursor !== undefined && { cursor }),
    })) as { documents: ListedDocument[]; cursor?: string };
    documents.push(...page.documents);
    cursor = page.cursor;
    expect(++pages, 'list_documents keeps returning a cursor').toBeLessThan(1000);
  } while (cursor !== undefined);
  return documents;
}

export interface SearchResultItem {
  id: string;
  content: string;
  source: string;
  score: number;
  title?: string;
  heading?: string;
  metadata: Record<string, string | number | boolean>;
}

/** A successful search_documents call: its results, and its text block for the model. */
export async function searchOk(
  client: Client,
  args: Record<string, unknown>,
): Promise<{ results: SearchResultItem[]; text: string }> {
  const result = await callTool(client, 'search_documents', args);
  expect(result.isError ?? false, `search_documents failed: ${textOf(result)}`).toBe(false);
  const { results } = result.structuredContent as { results: SearchResultItem[] };
  for (const hit of results) {
    expect(hit.score).toBeGreaterThanOrEqual(0);
    expect(hit.score).toBeLessThanOrEqual(1);
  }
  return { results, text: textOf(result) };
}

/**
 * ingest → search (the passage comes first, cited by source) → list → delete → delete again
 * (NOT_FOUND) → search finds nothing, on a source of its own: shared by every transport's tests.
 */
export async function documentRoundTrip(client: Client, source: string): Promise<void> {
  const content =
    '# Quokka care\n\nQuokkas on Rottnest Island need shade, fresh water and leafy browse every day.\n';
  const args = { source, content, metadata: { team: 'wildlife' } };
  expect(await callOk(client, 'ingest_document', args)).toEqual({
    source,
    chunks: 1,
    skipped: false,
  });
  // Idempotent: the same content again is recognized and not re-indexed.
  expect(await callOk(client, 'ingest_document', args)).toEqual({
    source,
    chunks: 1,
    skipped: true,
  });

  const { results, text } = await searchOk(client, { query: 'quokka shade water' });
  expect(results[0]).toMatchObject({
    id: `${source}#0`,
    source,
    title: 'Quokka care',
    content: expect.stringContaining('Rottnest Island') as unknown,
    metadata: { team: 'wildlife' },
  });
  expect(results[0]?.score).toBeGreaterThan(0);
  expect(text).toMatch(/^\[1\] \(score \d\.\d{3}\)\n<passage>$/m);
  expect(text).toContain(`<passage>\n│ source: "${source}"\n│ § Quokka care\n`);
  expect(text).toMatch(/│ § Quokka care\n[^]*Rottnest Island[^]*\n<\/passage>/);

  const listed = (await listAllDocuments(client)).find((d) => d.source === source);
  expect(listed).toMatchObject({ source, title: 'Quokka care', chunks: 1 });
  expect(Date.parse(listed?.ingested_at ?? '')).not.toBeNaN();

  expect(await callOk(client, 'delete_document', { source })).toEqual({
    source,
    deleted_chunks: 1,
  });
  expect(await callError(client, 'delete_document', { source })).toMatch(/^NOT_FOUND: source: /);
  expect((await listAllDocuments(client)).map((d) => d.source)).not.toContain(source);
  const after = await searchOk(client, { query: 'quokka shade water', filter: { source } });
  expect(after.results).toEqual([]);
  expect(after.text).toBe('No passages matched "quokka shade water".');
}
