import {
  sendItemOperation,
  sendTableOperation,
  type DynamoDbOperations,
  type ItemClient,
  type ItemOperation,
  type TableClient,
  type TableOperation,
} from './dynamodb-operations.js';

const TABLE_OPERATIONS: ReadonlySet<string> = new Set<TableOperation>([
  'DescribeTable',
  'CreateTable',
]);

/**
 * A record-store client that exists before its store does: each operation waits for `ready`
 * (the store started and its tables checked), then goes to the client it resolved to. With it a
 * server answers `initialize` and `tools/list`, which need no store, while the store is still
 * opening; a tool call made meanwhile waits, and one made after a failed start gets that error.
 */
export class AwaitedClient implements DynamoDbOperations {
  /** `start`: starts the store, if nothing has yet (called before each operation waits). */
  constructor(
    private readonly ready: Promise<ItemClient & TableClient>,
    private readonly start: () => void = () => undefined,
  ) {
    // The first caller sees the rejection; until then it must not count as unhandled.
    ready.catch(() => undefined);
  }

  async call(
    operation: ItemOperation | TableOperation,
    input: Record<string, unknown>,
  ): Promise<Record<string, unknown>> {
    this.start();
    const client = await this.ready;
    const output = TABLE_OPERATIONS.has(operation)
      ? await sendTableOperation(client, operation as TableOperation, input)
      : await sendItemOperation(client, operation as ItemOperation, input);
    return output as Record<string, unknown>;
  }
}
