/**
 * Start-up over stdio: `initialize` and `tools/list` need no record store, so the CLI answers
 * them while the store is still opening; record calls wait for it, and a store that cannot start
 * still ends the server with its reason. The store here is DynamoDB's API (dynalite on loopback)
 * behind a proxy that holds the table check (`DescribeTable`) until the test opens it: the store
 * is "still opening" for exactly as long as the test wants, with no sleeps.
 */
import { CreateTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  startEmbeddedDynamoDb,
  type EmbeddedDynamoDb,
} from '../../src/adapters/local/embedded-dynamodb.js';
import { assertBuilt, makeTempDir, removeDir } from '../support/cli-process.js';
import {
  startGatedDynamoDbProxy,
  type GatedDynamoDbProxy,
} from '../support/gated-dynamodb-proxy.js';
import { RawStdioServer } from '../support/raw-stdio.js';

describe('node dist/cli.js over stdio, while the record store starts', () => {
  let dynamo: EmbeddedDynamoDb;
  let proxy: GatedDynamoDbProxy;
  let server: RawStdioServer | undefined;
  let dataDir: string;

  beforeEach(async () => {
    assertBuilt();
    dataDir = await makeTempDir('mcp-stdio-startup');
    dynamo = await startEmbeddedDynamoDb({ dataDir, inMemory: true });
    proxy = await startGatedDynamoDbProxy(dynamo.endpoint, 'DescribeTable');
  });
  afterEach(async () => {
    await server?.close();
    server = undefined;
    await proxy.close();
    await dynamo.close();
    await removeDir(dataDir);
  });

  const env = (): Record<string, string> => ({
    RECORD_STORE: 'dynamodb',
    AWS_REGION: 'us-east-1',
    AWS_ACCESS_KEY_ID: 'local',
    AWS_SECRET_ACCESS_KEY: 'local',
    DYNAMODB_ENDPOINT: proxy.endpoint,
    CHATBOT_CREATE_TABLES: 'true',
  });

  it('answers initialize and tools/list before the store is ready; a record call waits for it', async () => {
    // start() completes initialize, and tools/list is answered, while the table check is held:
    // only a server that does not wait for its store gets this far.
    server = await RawStdioServer.start(dataDir, env());
    const listed = await server.request('tools/list', {});
    const names = (listed.result?.tools as { name: string }[]).map((t) => t.name);
    expect(names).toEqual(expect.arrayContaining(['create_record', 'read_record']));
    // The store starts after the first request past initialize: its table check is held now.
    await proxy.waitForHeld();

    const created = server.callTool('create_record', {
      table: 'sessions',
      data: { sessionId: 's-early', n: 1 },
    });
    proxy.open();
    expect((await created).result).toMatchObject({
      structuredContent: { record: { sessionId: 's-early', version: 1 } },
    });
    const read = await server.callTool('read_record', { table: 'sessions', record_id: 's-early' });
    expect(read.result).toMatchObject({ structuredContent: { record: { n: 1 } } });
  }, 60_000);

  it('ends with exit 2 (a configuration error) and the reason when a table has another key', async () => {
    const sdk = new DynamoDBClient({
      region: 'us-east-1',
      endpoint: dynamo.endpoint,
      credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    });
    await sdk.send(
      new CreateTableCommand({
        TableName: 'chatbot-sessions',
        BillingMode: 'PAY_PER_REQUEST',
        AttributeDefinitions: [{ AttributeName: 'other', AttributeType: 'S' }],
        KeySchema: [{ AttributeName: 'other', KeyType: 'HASH' }],
      }),
    );
    sdk.destroy();
    server = await RawStdioServer.start(dataDir, env());
    proxy.open();
    // The first request past initialize starts the store; its table check then fails.
    void server.request('tools/list', {}).catch(() => undefined);
    expect(await server.exited).toEqual({ code: 2, signal: null });
    expect(server.stderr()).toMatch(/exists with key \(other\) but is configured with key/);
  }, 60_000);
});
