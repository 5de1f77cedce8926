import type { KeySchemaElement } from '@aws-sdk/client-dynamodb';
import { ConfigError, UpstreamError } from '../../errors.js';
import type { KeyAttribute, TableSpec } from '../../ports/record-store.js';
import { sendTableOperation, type TableClient } from './dynamodb-operations.js';

/** How long a new table may take to become usable (DynamoDB: seconds; dynalite: a tick). */
const ACTIVE_TIMEOUT_MS = 120_000;

/**
 * Creates every configured table that does not exist (on-demand billing) and checks that
 * existing ones have the configured key, so a mismatch fails at start-up, not on first use.
 * Returns once every table is ACTIVE: DynamoDB creates a table in the background, and a write
 * before that fails with ResourceNotFoundException.
 */
export async function ensureTables(
  client: TableClient,
  tables: readonly TableSpec[],
): Promise<void> {
  for (const table of tables) {
    const wanted = keyOf(table);
    const existing = await describe(client, table.name);
    if (!existing) {
      await create(client, table, wanted);
      await untilActive(client, table.name);
      continue;
    }
    const actual = existing.key.map((k) => k.AttributeName).join(', ');
    if (actual !== wanted.map((a) => a.name).join(', ')) {
      throw new ConfigError(
        `table for alias "${table.alias}" exists with key (${actual}) but is configured with key (${wanted.map((a) => a.name).join(', ')}); fix the tables configuration or use another table name`,
      );
    }
    if (existing.status !== 'ACTIVE') await untilActive(client, table.name);
  }
}

async function create(
  client: TableClient,
  table: TableSpec,
  wanted: KeyAttribute[],
): Promise<void> {
  await sendTableOperation(client, 'CreateTable', {
    TableName: table.name,
    BillingMode: 'PAY_PER_REQUEST',
    AttributeDefinitions: wanted.map((a) => ({
      AttributeName: a.name,
      AttributeType: a.type,
    })),
    KeySchema: wanted.map((a, i) => ({
      AttributeName: a.name,
      KeyType: i === 0 ? 'HASH' : 'RANGE',
    })),
  });
}

async function untilActive(client: TableClient, name: string): Promise<void> {
  const deadline = Date.now() + ACTIVE_TIMEOUT_MS;
  for (let wait = 5; ; wait = Math.min(wait * 2, 1_000)) {
    const table = await describe(client, name);
    if (table?.status === 'ACTIVE') return;
    if (Date.now() > deadline) {
      throw new UpstreamError(
        `table ${name} was created but is still ${table?.status ?? 'missing'} after ${ACTIVE_TIMEOUT_MS / 1000} s; check it in the DynamoDB console and start again`,
      );
    }
    await new Promise((resolve) => setTimeout(resolve, wait));
  }
}

function keyOf(table: TableSpec): KeyAttribute[] {
  return table.sortKey ? [table.partitionKey, table.sortKey] : [table.partitionKey];
}

async function describe(
  client: TableClient,
  name: string,
): Promise<{ key: KeySchemaElement[]; status: string | undefined } | undefined> {
  try {
    const out = await sendTableOperation(client, 'DescribeTable', { TableName: name });
    const schema = out.Table?.KeySchema ?? [];
    return { key: [...schema].sort((a, b) => rank(a) - rank(b)), status: out.Table?.TableStatus };
  } catch (error) {
    if (error instanceof Error && error.name === 'ResourceNotFoundException') return undefined;
    throw error;
  }
}

const rank = (k: KeySchemaElement): number => (k.KeyType === 'HASH' ? 0 : 1);
