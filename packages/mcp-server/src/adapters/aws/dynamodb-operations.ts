import type { DynamoDBClient, KeySchemaElement } from '@aws-sdk/client-dynamodb';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { RecordItem, RecordKey } from '../../ports/record-store.js';

/** The item operations the record store makes, by DynamoDB's names. */
export type ItemOperation = 'GetItem' | 'PutItem' | 'UpdateItem' | 'DeleteItem' | 'Query' | 'Scan';
/** The table operations `ensureTables` makes. */
export type TableOperation = 'DescribeTable' | 'CreateTable';

/**
 * A client that takes DynamoDB operations by name, plain JavaScript values in and out: the
 * embedded store's loopback client. Given one, the record store and `ensureTables` never load the
 * AWS SDK, whose import is the largest part of a local start-up.
 */
export interface DynamoDbOperations {
  call(
    operation: ItemOperation | TableOperation,
    input: Record<string, unknown>,
  ): Promise<Record<string, unknown>>;
}

/** What the record store sends items through: the SDK's document client, or the above. */
export type ItemClient = Pick<DynamoDBDocumentClient, 'send'> | DynamoDbOperations;
/** What `ensureTables` sends table operations through. */
export type TableClient = Pick<DynamoDBClient, 'send'> | DynamoDbOperations;

export interface ItemOutput {
  Item?: RecordItem;
  Attributes?: RecordItem;
  Items?: RecordItem[];
  LastEvaluatedKey?: RecordKey;
}

export interface TableOutput {
  Table?: { KeySchema?: KeySchemaElement[]; TableStatus?: string };
}

const byName = (client: ItemClient | TableClient): client is DynamoDbOperations =>
  typeof (client as Partial<DynamoDbOperations>).call === 'function';

/** The SDK's command class for each operation. */
const DOCUMENT_COMMANDS = {
  GetItem: 'GetCommand',
  PutItem: 'PutCommand',
  UpdateItem: 'UpdateCommand',
  DeleteItem: 'DeleteCommand',
  Query: 'QueryCommand',
  Scan: 'ScanCommand',
} as const;
const TABLE_COMMANDS = {
  DescribeTable: 'DescribeTableCommand',
  CreateTable: 'CreateTableCommand',
} as const;

// An SDK client's caller has loaded the SDK already; these imports only find it.
let documentSdk: Promise<typeof import('@aws-sdk/lib-dynamodb')> | undefined;
let tableSdk: Promise<typeof import('@aws-sdk/client-dynamodb')> | undefined;

/** Sends one item operation with native values (the document client's marshalling). */
export async function sendItemOperation(
  client: ItemClient,
  operation: ItemOperation,
  input: Record<string, unknown>,
): Promise<ItemOutput> {
  if (byName(client)) return client.call(operation, input);
  const Command = (await (documentSdk ??= import('@aws-sdk/lib-dynamodb')))[
    DOCUMENT_COMMANDS[operation]
  ];
  // Each command class wants its own input type; the record store builds valid ones.
  return (await client.send(new Command(input as never) as never)) as ItemOutput;
}

/** Sends one table operation. */
export async function sendTableOperation(
  client: TableClient,
  operation: TableOperation,
  input: Record<string, unknown>,
): Promise<TableOutput> {
  if (byName(client)) return client.call(operation, input);
  const Command = (await (tableSdk ??= import('@aws-sdk/client-dynamodb')))[
    TABLE_COMMANDS[operation]
  ];
  return (await client.send(new Command(input as never) as never)) as TableOutput;
}
