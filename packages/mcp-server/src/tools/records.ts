import type { RecordItem } from '../ports/record-store.js';
import type { RecordService } from '../records/record-service.js';
import type { KeyInput } from '../records/record-rules.js';
import type { TableRegistry } from '../records/table-registry.js';
import type { ToolGroup, ToolOutput } from './tool-handler.js';

const RECORD_TOOLS = [
  'create_record',
  'read_record',
  'update_record',
  'delete_record',
  'list_records',
] as const;

/** The record tools: create, read, update, delete and list over configured tables. */
export function recordTools(service: RecordService, tables: TableRegistry): ToolGroup {
  const tableList = tables.tables
    .map((t) => {
      const key = t.sortKey ? `${t.partitionKey.name} + ${t.sortKey.name}` : t.partitionKey.name;
      const notes = [
        `key: ${key}`,
        ...(t.access === 'read-only' ? ['read-only'] : []),
        ...(t.scope === 'owner' ? ["each user's own records"] : []),
      ];
      return `${t.alias} (${notes.join(', ')})`;
    })
    .join('; ');
  return {
    describe: (name) =>
      (RECORD_TOOLS as readonly string[]).includes(name) ? `Tables: ${tableList}.` : undefined,
    handlers: {
      create_record: async (args, context) => {
        const record = await service.create(
          args.table as string,
          args.data as RecordItem,
          context?.caller,
        );
        return recordOutput(`Created a record in ${String(args.table)}`, record);
      },
      read_record: async (args, context) => {
        const record = await service.read(args.table as string, keyInput(args), context?.caller);
        return recordOutput(`Record from ${String(args.table)}`, record);
      },
      update_record: async (args, context) => {
        const record = await service.update(
          args.table as string,
          keyInput(args),
          args.data as RecordItem,
          args.expected_version as number | undefined,
          context?.caller,
        );
        return recordOutput(`Updated the record in ${String(args.table)}`, record);
      },
      delete_record: async (args, context) => {
        const deleted = await service.delete(
          args.table as string,
          keyInput(args),
          args.expected_version as number | undefined,
          context?.caller,
        );
        return {
          structured: { deleted },
          text: `Deleted this record from ${String(args.table)}:\n${JSON.stringify(deleted, null, 2)}`,
        };
      },
      list_records: async (args, context) => {
        const page = await service.list(
          args.table as string,
          {
            partitionKeyValue: args.partition_key_value,
            limit: args.limit as number | undefined,
            cursor: args.cursor as string | undefined,
          },
          context?.caller,
        );
        const next = page.cursor
          ? `\nMore records exist: call list_records again with cursor "${page.cursor}".`
          : '';
        return {
          structured: page.cursor
            ? { records: page.items, cursor: page.cursor }
            : { records: page.items },
          text: `${page.items.length} record(s) from ${String(args.table)}:\n${JSON.stringify(page.items, null, 2)}${next}`,
        };
      },
    },
  };
}

function keyInput(args: Record<string, unknown>): KeyInput {
  const input: KeyInput = {};
  if (args.key !== undefined) input.key = args.key as Record<string, unknown>;
  if (args.record_id !== undefined) input.record_id = args.record_id as string;
  return input;
}

function recordOutput(heading: string, record: RecordItem): ToolOutput {
  return { structured: { record }, text: `${heading}:\n${JSON.stringify(record, null, 2)}` };
}
