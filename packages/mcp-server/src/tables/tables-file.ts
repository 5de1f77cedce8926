import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { Ajv2020, type ValidateFunction } from 'ajv/dist/2020.js';
import { describeErrors } from '../contract/schema-validator.js';
import { ConfigError } from '../errors.js';
import type { KeyAttribute, TableSpec } from '../ports/record-store.js';
import {
  CHAT_TABLES,
  DEFAULT_TABLE_NAMES,
  EXAMPLE_TABLES,
  type TableKeySchema,
} from './table-model.js';

/** Physical names of the default tables, overridable one by one from the environment. */
export type DefaultTableNames = Record<keyof typeof DEFAULT_TABLE_NAMES, string>;

/**
 * The default tables: the chat's own (sessions; conversations and analytics with composite
 * keys) from the shared table model, and the example `notes` table.
 */
export function defaultTables(names: Partial<DefaultTableNames> = {}): TableSpec[] {
  const all = { ...CHAT_TABLES, ...EXAMPLE_TABLES };
  return (Object.keys(all) as (keyof typeof all)[]).map((alias) => {
    const keys: TableKeySchema = all[alias];
    return {
      alias,
      name: names[alias] ?? DEFAULT_TABLE_NAMES[alias],
      partitionKey: { ...keys.partitionKey },
      ...(keys.sortKey && { sortKey: { ...keys.sortKey } }),
      access: 'read-write',
      ttlAttribute: keys.ttlAttribute,
    };
  });
}

const keySchema = {
  oneOf: [
    { type: 'string', pattern: '^.{1,255}$' },
    {
      type: 'object',
      additionalProperties: false,
      required: ['name'],
      properties: {
        name: { type: 'string', minLength: 1, maxLength: 255 },
        type: { enum: ['S', 'N'] },
      },
    },
  ],
};

const fileSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['tables'],
  properties: {
    tables: {
      type: 'object',
      minProperties: 1,
      propertyNames: { pattern: '^[a-z][a-z0-9_-]{0,62}$' },
      additionalProperties: {
        type: 'object',
        additionalProperties: false,
        required: ['name', 'partitionKey'],
        properties: {
          name: { type: 'string', pattern: '^[a-zA-Z0-9_.-]{3,255}$' },
          partitionKey: keySchema,
          sortKey: keySchema,
          access: { enum: ['read-write', 'read-only'] },
          scope: { enum: ['owner', 'shared'] },
          ttlAttribute: { type: 'string', minLength: 1 },
        },
      },
    },
  },
};

type KeyEntry = string | { name: string; type?: 'S' | 'N' };
interface TablesFile {
  tables: Record<
    string,
    {
      name: string;
      partitionKey: KeyEntry;
      sortKey?: KeyEntry;
      access?: TableSpec['access'];
      scope?: 'owner' | 'shared';
      ttlAttribute?: string;
    }
  >;
}

let validator: ValidateFunction<TablesFile> | undefined;
/** Compiled on first use: most servers run without a tables file. */
const validateFile = (raw: unknown): raw is TablesFile => {
  validator ??= new Ajv2020({ allErrors: true, strict: true }).compile<TablesFile>(fileSchema);
  return validator(raw);
};

/**
 * Reads a tables file (JSON or YAML). It replaces the default tables: the server exposes
 * exactly the tables it lists, under their aliases.
 *
 * ```yaml
 * tables:
 *   notes: { name: team-notes, partitionKey: id }
 *   events: { name: team-events, partitionKey: day, sortKey: { name: seq, type: N }, access: read-only }
 *   todos: { name: team-todos, partitionKey: id, scope: owner }   # each user's own rows
 * ```
 */
/** Loaded on first use (synchronously, as configuration loading is): most servers have no tables file. */
function parseYaml(text: string): unknown {
  const yaml = createRequire(import.meta.url)('yaml') as typeof import('yaml');
  return yaml.parse(text);
}

export function loadTablesFile(path: string): TableSpec[] {
  let raw: unknown;
  try {
    const text = readFileSync(path, 'utf8');
    raw = /\.json$/i.test(path) ? JSON.parse(text) : parseYaml(text);
  } catch (error) {
    throw new ConfigError(
      `--config / CHATBOT_CONFIG: cannot read ${path}: ${error instanceof Error ? error.message : String(error)}`,
    );
  }
  if (!validateFile(raw)) {
    throw new ConfigError(
      `--config / CHATBOT_CONFIG: ${path} is not a valid tables file: ${describeErrors(validator?.errors ?? [], [])}`,
    );
  }
  for (const [alias, t] of Object.entries(raw.tables)) {
    // DynamoDB refuses such a key schema, but only when the table is created.
    if (t.sortKey !== undefined && toKey(t.sortKey).name === toKey(t.partitionKey).name) {
      throw new ConfigError(
        `--config / CHATBOT_CONFIG: ${path} is not a valid tables file: tables.${alias}.sortKey: must not have the same name as the partitionKey`,
      );
    }
  }
  return Object.entries(raw.tables).map(([alias, t]) => ({
    alias,
    name: t.name,
    partitionKey: toKey(t.partitionKey),
    ...(t.sortKey !== undefined && { sortKey: toKey(t.sortKey) }),
    access: t.access ?? 'read-write',
    ...(t.scope === 'owner' && { scope: 'owner' as const }),
    ttlAttribute: t.ttlAttribute ?? 'ttl',
  }));
}

function toKey(entry: KeyEntry): KeyAttribute {
  return typeof entry === 'string'
    ? { name: entry, type: 'S' }
    : { name: entry.name, type: entry.type ?? 'S' };
}
