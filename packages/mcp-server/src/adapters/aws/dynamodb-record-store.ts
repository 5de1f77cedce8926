import { ConflictError, UpstreamError, ValidationError } from '../../errors.js';
import { notFound } from '../../records/record-rules.js';
import type {
  ListPage,
  ListQuery,
  RecordItem,
  RecordKey,
  RecordMatch,
  RecordStore,
  TableSpec,
} from '../../ports/record-store.js';
import {
  sendItemOperation,
  type ItemClient,
  type ItemOperation,
  type ItemOutput,
} from './dynamodb-operations.js';
import { ExpressionBuilder } from './expression-builder.js';
import { decodeCursor, encodeCursor } from './list-cursor.js';

export interface DynamoDbRecordStoreOptions {
  /**
   * The SDK's document client (or anything with its `send`), or the embedded store's fast client,
   * which takes operations by name so the AWS SDK is never loaded.
   */
  client: ItemClient;
  /** Current time in epoch seconds, for TTL checks. */
  nowSeconds?: () => number;
}

/** How many extra round trips a list may make to fill a page that TTL filtering thinned. */
const MAX_LIST_ROUND_TRIPS = 5;

/** The record store on DynamoDB (AWS, DynamoDB Local, or the embedded dynalite). */
export class DynamoDbRecordStore implements RecordStore {
  private readonly client: ItemClient;
  private readonly nowSeconds: () => number;

  constructor(options: DynamoDbRecordStoreOptions) {
    this.client = options.client;
    this.nowSeconds = options.nowSeconds ?? (() => Math.floor(Date.now() / 1000));
  }

  async create(table: TableSpec, item: RecordItem): Promise<RecordItem> {
    const expr = new ExpressionBuilder();
    const pk = expr.name(table.partitionKey.name);
    const ttl = expr.name(table.ttlAttribute);
    // An expired record still in the table (DynamoDB deletes lazily) may be replaced.
    const condition = `attribute_not_exists(${pk}) OR (attribute_type(${ttl}, ${expr.value('N')}) AND ${ttl} <= ${expr.value(this.nowSeconds())})`;
    try {
      await this.call(table, 'PutItem', {
        TableName: table.name,
        Item: item,
        ConditionExpression: condition,
        ...expr.attributes(),
      });
    } catch (error) {
      if (isConditionFailure(error)) {
        throw new ConflictError(
          `a record with key ${describeKey(table, item)} already exists in table "${table.alias}"; use update_record to change it, or choose another key`,
        );
      }
      throw error;
    }
    return item;
  }

  async get(table: TableSpec, key: RecordKey): Promise<RecordItem | undefined> {
    const out = await this.call(table, 'GetItem', {
      TableName: table.name,
      Key: key,
      ConsistentRead: true,
    });
    const item = out.Item;
    return item && this.isLive(table, item) ? item : undefined;
  }

  async update(
    table: TableSpec,
    key: RecordKey,
    changes: RecordItem,
    expectedVersion?: number,
    match?: RecordMatch,
  ): Promise<RecordItem> {
    const expr = new ExpressionBuilder();
    const sets = Object.entries(changes).map(
      ([attribute, value]) => `${expr.name(attribute)} = ${expr.value(value)}`,
    );
    const version = expr.name('version');
    sets.push(`${version} = if_not_exists(${version}, ${expr.value(0)}) + ${expr.value(1)}`);
    const condition = this.writeCondition(table, expr, expectedVersion, match);
    try {
      const out = await this.call(table, 'UpdateItem', {
        TableName: table.name,
        Key: key,
        UpdateExpression: `SET ${sets.join(', ')}`,
        ConditionExpression: condition,
        ReturnValues: 'ALL_NEW',
        ...expr.attributes(),
      });
      return out.Attributes ?? {};
    } catch (error) {
      if (isConditionFailure(error)) {
        throw await this.explainFailure(table, key, expectedVersion, match);
      }
      throw error;
    }
  }

  async delete(
    table: TableSpec,
    key: RecordKey,
    expectedVersion?: number,
    match?: RecordMatch,
  ): Promise<RecordItem> {
    const expr = new ExpressionBuilder();
    const condition = this.writeCondition(table, expr, expectedVersion, match);
    try {
      const out = await this.call(table, 'DeleteItem', {
        TableName: table.name,
        Key: key,
        ConditionExpression: condition,
        ReturnValues: 'ALL_OLD',
        ...expr.attributes(),
      });
      return out.Attributes ?? {};
    } catch (error) {
      if (isConditionFailure(error)) {
        throw await this.explainFailure(table, key, expectedVersion, match);
      }
      throw error;
    }
  }

  async list(table: TableSpec, query: ListQuery): Promise<ListPage> {
    checkPaging(table, query);
    let startKey = query.cursor
      ? decodeCursor(table, query.cursor, query.partitionKeyValue)
      : undefined;
    const items: RecordItem[] = [];
    for (let trip = 0; trip < MAX_LIST_ROUND_TRIPS && items.length < query.limit; trip++) {
      const expr = new ExpressionBuilder();
      let filter = expr.liveCondition(table.ttlAttribute, this.nowSeconds());
      if (query.match) filter += ` AND ${matchCondition(expr, query.match)}`;
      const common = {
        TableName: table.name,
        Limit: query.limit - items.length,
        ExclusiveStartKey: startKey,
        ConsistentRead: true,
        FilterExpression: filter,
      };
      const out =
        query.partitionKeyValue === undefined
          ? await this.call(table, 'Scan', { ...common, ...expr.attributes() })
          : await this.call(table, 'Query', {
              ...common,
              KeyConditionExpression: keyCondition(table, expr, query),
              ...(query.descending && { ScanIndexForward: false }),
              ...expr.attributes(),
            });
      items.push(...(out.Items ?? []));
      startKey = out.LastEvaluatedKey;
      if (!startKey) break;
    }
    return startKey ? { items, cursor: encodeCursor(table, startKey) } : { items };
  }

  private writeCondition(
    table: TableSpec,
    expr: ExpressionBuilder,
    expectedVersion: number | undefined,
    match: RecordMatch | undefined,
  ): string {
    let condition = `attribute_exists(${expr.name(table.partitionKey.name)}) AND ${expr.liveCondition(table.ttlAttribute, this.nowSeconds())}`;
    if (match) condition += ` AND ${matchCondition(expr, match)}`;
    if (expectedVersion !== undefined) {
      condition += ` AND ${expr.name('version')} = ${expr.value(expectedVersion)}`;
    }
    return condition;
  }

  /** A conditional write failed: say whether the record is missing or has moved on. */
  private async explainFailure(
    table: TableSpec,
    key: RecordKey,
    expectedVersion: number | undefined,
    match: RecordMatch | undefined,
  ): Promise<Error> {
    const current = await this.get(table, key);
    // Someone else's record is reported exactly like a missing one.
    if (!current || (match && current[match.attribute] !== match.value)) {
      return notFound(table, key);
    }
    return new ConflictError(
      `record ${JSON.stringify(key)} in table "${table.alias}" is at version ${String(current.version)}, not the expected_version ${String(expectedVersion)}; read it again, reapply your change and retry`,
    );
  }

  private isLive(table: TableSpec, item: RecordItem): boolean {
    const ttl = item[table.ttlAttribute];
    return typeof ttl !== 'number' || ttl > this.nowSeconds();
  }

  /** Sends an operation, turning the store's own refusals into errors a user can act on. */
  private async call(
    table: TableSpec,
    operation: ItemOperation,
    input: Record<string, unknown>,
  ): Promise<ItemOutput> {
    try {
      return await sendItemOperation(this.client, operation, input);
    } catch (error) {
      throw translateError(table, error);
    }
  }
}

/** Descending order and a sort-key bound only make sense within one partition (a query). */
function checkPaging(table: TableSpec, query: ListQuery): void {
  const before = query.sortKeyBefore;
  if (
    (query.descending === true || before !== undefined) &&
    query.partitionKeyValue === undefined
  ) {
    throw new ValidationError(
      `list on table "${table.alias}": descending and sortKeyBefore need a partition key value; pass one, or list without them`,
    );
  }
  if (before === undefined) return;
  const expected = table.sortKey && (table.sortKey.type === 'S' ? 'string' : 'number');
  if (typeof before !== expected) {
    throw new ValidationError(
      expected
        ? `list on table "${table.alias}": sortKeyBefore must be a ${expected} like its sort key "${table.sortKey?.name}"; pass one of that type or omit it`
        : `list on table "${table.alias}": sortKeyBefore needs a table with a sort key, and this one has none; omit it`,
    );
  }
}

/** The partition, and when asked the sort key strictly before a value (placeholders only). */
function keyCondition(table: TableSpec, expr: ExpressionBuilder, query: ListQuery): string {
  const partition = `${expr.name(table.partitionKey.name)} = ${expr.value(query.partitionKeyValue)}`;
  if (query.sortKeyBefore === undefined || !table.sortKey) return partition;
  return `${partition} AND ${expr.name(table.sortKey.name)} < ${expr.value(query.sortKeyBefore)}`;
}

function matchCondition(expr: ExpressionBuilder, match: RecordMatch): string {
  return `${expr.name(match.attribute)} = ${expr.value(match.value)}`;
}

function describeKey(table: TableSpec, item: RecordItem): string {
  const key: RecordKey = {};
  for (const attr of [table.partitionKey, table.sortKey]) {
    if (attr) key[attr.name] = item[attr.name] as string | number;
  }
  return JSON.stringify(key);
}

function errorName(error: unknown): string | undefined {
  return error instanceof Error ? error.name : undefined;
}

function isConditionFailure(error: unknown): boolean {
  return errorName(error) === 'ConditionalCheckFailedException';
}

function translateError(table: TableSpec, error: unknown): unknown {
  const name = errorName(error);
  const message = error instanceof Error ? error.message : '';
  if (name === 'ConditionalCheckFailedException') return error;
  if (name === 'ResourceNotFoundException') {
    return new UpstreamError(
      `the table behind alias "${table.alias}" does not exist in the record store; deploy it (see packages/infra) or start with CHATBOT_CREATE_TABLES=true`,
      { cause: error },
    );
  }
  if (
    name === 'ProvisionedThroughputExceededException' ||
    name === 'ThrottlingException' ||
    name === 'RequestLimitExceeded'
  ) {
    return new UpstreamError('the record store is busy right now; retry in a few seconds', {
      cause: error,
    });
  }
  // The embedded store's disk is full or failing (its messages name the data directory only).
  if (name === 'EmbeddedStorageFullException') {
    return new UpstreamError(
      `the record store could not write: ${message}; free disk space there and writes resume by themselves (reads keep working meanwhile)`,
      { cause: error },
    );
  }
  if (name === 'EmbeddedStorageException') {
    return new UpstreamError(`the record store failed: ${message}`, { cause: error });
  }
  if (name === 'ValidationException' && /size/i.test(message) && /item/i.test(message)) {
    return new ValidationError(
      "data: the record would exceed DynamoDB's 400 KB item limit; store less in one record (large text belongs in documents)",
    );
  }
  return error;
}
