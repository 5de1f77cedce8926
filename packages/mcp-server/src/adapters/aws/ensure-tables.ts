import type { KeySchemaElement } from '@aws-sdk/client-dynamodb';
import { ConfigError } from '../../errors.js';
import type { KeyAttribute, TableSpec } from '../../ports/record-store.js';
import { sendTableOperation, type TableClient } from './dynamodb-operations.js';

/**
 * Creates every configured table that does not exist (on-demand billing) and checks that
 * existing ones have the configured key, so a mismatch fails at start-up, not on first use.
 */
export async function ensureTables(
  client: TableClient,
  tables: readonly TableSpec[],
): Promise<void> {
  for (const table of tables) {
    const wanted = keyOf(table);
    const existing = await describe(client, table.name);
    if (!existing) {
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
      continue;
    }
    const actual = existing.map((k) => k.AttributeName).join(', ');
    if (actual !== wanted.map((a) => a.name).join(', ')) {
      throw new ConfigError(
        `table for alias "${table.alias}" exists with key (${actual}) but is configured with key (${wanted.map((a) => a.name).join(', ')}); fix the tables configuration or use another table name`,
      );
    }
  }
}

function keyOf(table: TableSpec): KeyAttribute[] {
  return table.sortKey ? [table.partitionKey, table.sortKey] : [table.partitionKey];
}

async function describe(
  client: TableClient,
  name: string,
): Promise<KeySchemaElement[] | undefined> {
  try {
    const out = await sendTableOperation(client, 'DescribeTable', { TableName: name });
    const schema = out.Table?.KeySchema ?? [];
    return [...schema].sort((a, b) => rank(a) - rank(b));
  } catch (error) {
    if (error instanceof Error && error.name === 'ResourceNotFoundException') return undefined;
    throw error;
  }
}

const rank = (k: KeySchemaElement): number => (k.KeyType === 'HASH' ? 0 : 1);
