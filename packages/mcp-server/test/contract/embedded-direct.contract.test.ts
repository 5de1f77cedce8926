import { tmpdir } from 'node:os';
import { describe, expect, it } from 'vitest';
import { startEmbeddedDynamoDb } from '../../src/adapters/local/embedded-dynamodb.js';
import { LocalDynamoDbClient } from '../../src/adapters/local/local-dynamodb-client.js';
import { UpstreamError } from '../../src/errors.js';

/**
 * The embedded store answers this process's clients without a socket (`request`): the same
 * answers as over its HTTP endpoint, from the worker thread and from this thread.
 */
describe.each([
  { where: 'worker thread', thread: true },
  { where: 'this thread', thread: false },
])('embedded store reached without a socket ($where)', ({ thread }) => {
  it('answers as its HTTP endpoint does, errors included', async () => {
    const store = await startEmbeddedDynamoDb({ dataDir: tmpdir(), inMemory: true, thread });
    const direct = new LocalDynamoDbClient(store);
    const http = new LocalDynamoDbClient(store.endpoint);
    try {
      await direct.call('CreateTable', {
        TableName: 'direct',
        AttributeDefinitions: [{ AttributeName: 'id', AttributeType: 'S' }],
        KeySchema: [{ AttributeName: 'id', KeyType: 'HASH' }],
        BillingMode: 'PAY_PER_REQUEST',
      });
      // As DynamoDB, dynalite creates a table in the background.
      while (
        (
          (await direct.call('DescribeTable', { TableName: 'direct' })).Table as {
            TableStatus: string;
          }
        ).TableStatus !== 'ACTIVE'
      ) {
        await new Promise((r) => setTimeout(r, 5));
      }
      const put = (client: LocalDynamoDbClient, id: string) =>
        client.call('PutItem', {
          TableName: 'direct',
          Item: { id, n: 1, tags: new Set(['a']), nested: { deep: [1, 'two'] } },
          ConditionExpression: 'attribute_not_exists(id)',
        });
      await put(direct, 'x');
      const refused = await Promise.all(
        [direct, http].map((c) => put(c, 'x').catch((e: unknown) => e as Error)),
      );
      expect(refused.map((e) => [e.name, e.message])).toEqual([
        ['ConditionalCheckFailedException', 'The conditional request failed'],
        ['ConditionalCheckFailedException', 'The conditional request failed'],
      ]);
      const read = await Promise.all(
        [direct, http].map((c) => c.call('GetItem', { TableName: 'direct', Key: { id: 'x' } })),
      );
      expect(read[0]).toEqual(read[1]);
      expect(read[0]!.Item).toEqual({
        id: 'x',
        n: 1,
        tags: new Set(['a']),
        nested: { deep: [1, 'two'] },
      });
      const invalid = await direct
        .call('GetItem', { TableName: 'no-such-table', Key: { id: 'x' } })
        .catch((e: unknown) => e as Error);
      expect(invalid.name).toBe('ResourceNotFoundException');
    } finally {
      direct.destroy();
      http.destroy();
      await store.close();
    }
    const afterClose = await store
      .request('GetItem', JSON.stringify({ TableName: 'direct', Key: { id: { S: 'x' } } }))
      .catch((e: unknown) => e);
    expect(afterClose).toBeInstanceOf(UpstreamError);
  });
});
