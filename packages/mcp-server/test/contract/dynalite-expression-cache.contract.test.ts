import { tmpdir } from 'node:os';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  startEmbeddedDynamoDb,
  type EmbeddedDynamoDb,
} from '../../src/adapters/local/embedded-dynamodb.js';
import { LocalDynamoDbClient } from '../../src/adapters/local/local-dynamodb-client.js';

/**
 * The embedded store remembers its parses of expressions (dynalite-expression-cache.ts). These
 * requests each go twice or more, so the second is answered from the cache, and must be judged
 * exactly as the first: conditions evaluated on the item of the moment, values of the request
 * applied, and the same validation errors as DynamoDB gives.
 */

let embedded: EmbeddedDynamoDb;
let client: LocalDynamoDbClient;
const TABLE = 'expression-cache';

beforeAll(async () => {
  embedded = await startEmbeddedDynamoDb({ dataDir: tmpdir(), inMemory: true });
  client = new LocalDynamoDbClient(embedded.endpoint);
  await client.call('CreateTable', {
    TableName: TABLE,
    AttributeDefinitions: [{ AttributeName: 'id', AttributeType: 'S' }],
    KeySchema: [{ AttributeName: 'id', KeyType: 'HASH' }],
    BillingMode: 'PAY_PER_REQUEST',
  });
});
afterAll(async () => {
  client?.destroy();
  await embedded?.close();
});

const create = (id: string) =>
  client.call('PutItem', {
    TableName: TABLE,
    Item: { id, version: 1, text: 'first' },
    ConditionExpression: 'attribute_not_exists(#pk)',
    ExpressionAttributeNames: { '#pk': 'id' },
  });

const failure = (p: Promise<unknown>): Promise<Error> =>
  p.then(
    () => {
      throw new Error('expected the request to be refused');
    },
    (error: unknown) => error as Error,
  );

describe('embedded store: expressions answered from the parse cache', () => {
  it('evaluates a repeated condition on each request’s item', async () => {
    await create('a');
    await create('b');
    expect((await failure(create('a'))).name).toBe('ConditionalCheckFailedException');
    await create('c');
    expect((await failure(create('c'))).name).toBe('ConditionalCheckFailedException');
  });

  it('applies each request’s values through the same update expression', async () => {
    await create('v');
    for (const [from, text] of [
      [1, 'second'],
      [2, 'third'],
    ] as const) {
      await client.call('UpdateItem', {
        TableName: TABLE,
        Key: { id: 'v' },
        UpdateExpression: 'SET #t = :t, #v = :next',
        ConditionExpression: '#v = :current',
        ExpressionAttributeNames: { '#t': 'text', '#v': 'version' },
        ExpressionAttributeValues: { ':t': text, ':next': from + 1, ':current': from },
      });
    }
    const stale = failure(
      client.call('UpdateItem', {
        TableName: TABLE,
        Key: { id: 'v' },
        UpdateExpression: 'SET #t = :t, #v = :next',
        ConditionExpression: '#v = :current',
        ExpressionAttributeNames: { '#t': 'text', '#v': 'version' },
        ExpressionAttributeValues: { ':t': 'lost', ':next': 2, ':current': 1 },
      }),
    );
    expect((await stale).name).toBe('ConditionalCheckFailedException');
    const out = await client.call('GetItem', { TableName: TABLE, Key: { id: 'v' } });
    expect(out.Item).toEqual({ id: 'v', version: 3, text: 'third' });
  });

  it('refuses an unused attribute name and a reserved word every time', async () => {
    for (let i = 0; i < 2; i++) {
      const unused = await failure(
        client.call('PutItem', {
          TableName: TABLE,
          Item: { id: `u${i}` },
          ConditionExpression: 'attribute_not_exists(#pk)',
          ExpressionAttributeNames: { '#pk': 'id', '#spare': 'text' },
        }),
      );
      expect(unused.name).toBe('ValidationException');
      expect(unused.message).toMatch(/unused in expressions: keys: \{#spare\}/);
      const reserved = await failure(
        client.call('PutItem', {
          TableName: TABLE,
          Item: { id: `r${i}` },
          ConditionExpression: 'attribute_not_exists(name)',
        }),
      );
      expect(reserved.name).toBe('ValidationException');
      expect(reserved.message).toMatch(/reserved keyword: name/);
    }
  });

  it('counts a name as used by an expression whatever the request parsed before it', async () => {
    await create('n');
    // First cached inside a request whose update expression also uses #t ...
    await client.call('UpdateItem', {
      TableName: TABLE,
      Key: { id: 'n' },
      UpdateExpression: 'SET #t = :t',
      ConditionExpression: 'attribute_exists(#t)',
      ExpressionAttributeNames: { '#t': 'text' },
      ExpressionAttributeValues: { ':t': 'updated' },
    });
    // ... then alone: #t is used here too, so it is not "unused".
    await client.call('DeleteItem', {
      TableName: TABLE,
      Key: { id: 'n' },
      ConditionExpression: 'attribute_exists(#t)',
      ExpressionAttributeNames: { '#t': 'text' },
    });
    const out = await client.call('GetItem', { TableName: TABLE, Key: { id: 'n' } });
    expect(out.Item).toBeUndefined();
  });
});
