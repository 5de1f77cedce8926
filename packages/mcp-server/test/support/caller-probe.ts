import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { CallToolResultSchema, type CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { CALLER_META_KEY } from '../../src/identity/resolve-caller.js';

/**
 * Probes which caller a transport resolved: `created_by` of a record the call creates names it
 * (`issuer#subject`, `operator` or `anonymous`), and an owner-scoped table shows isolation.
 */

/** A shared `notes` table and an owner-scoped `todos` table; returns the file's path. */
export async function writeCallerTablesFile(dir: string, prefix = 'caller'): Promise<string> {
  const path = join(dir, 'tables.json');
  await writeFile(
    path,
    JSON.stringify({
      tables: {
        notes: { name: `${prefix}-notes`, partitionKey: 'id' },
        todos: { name: `${prefix}-todos`, partitionKey: 'id', scope: 'owner' },
      },
    }),
  );
  return path;
}

/** The `_meta` a gateway sends for a signed-in person. */
export function metaAs(
  issuer: string,
  subject: string,
  groups: string[] = [],
): Record<string, unknown> {
  return { [CALLER_META_KEY]: { issuer, subject, groups } };
}

export const ANONYMOUS_META = { [CALLER_META_KEY]: { anonymous: true } };

/** tools/call params with an optional `_meta`. */
export function callParams(
  name: string,
  args: Record<string, unknown>,
  meta?: Record<string, unknown>,
): { name: string; arguments: Record<string, unknown>; _meta?: Record<string, unknown> } {
  return { name, arguments: args, ...(meta && { _meta: meta }) };
}

/** Calls a tool through an SDK client with `_meta`. */
export async function callAs(
  client: Client,
  name: string,
  args: Record<string, unknown>,
  meta?: Record<string, unknown>,
): Promise<CallToolResult> {
  return CallToolResultSchema.parse(await client.callTool(callParams(name, args, meta)));
}

/** `created_by` of the record a successful create_record result holds; the error text otherwise. */
export function createdBy(result: CallToolResult): string {
  if (result.isError) {
    return `error: ${result.content.map((c) => (c.type === 'text' ? c.text : '')).join('')}`;
  }
  const record = (result.structuredContent as { record: Record<string, unknown> }).record;
  return String(record.created_by);
}
