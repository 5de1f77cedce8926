import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { CallToolResultSchema, type CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { expect } from 'vitest';

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
