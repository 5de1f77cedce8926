import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { LocalDynamoDbClient } from '../../src/adapters/local/local-dynamodb-client.js';

describe('LocalDynamoDbClient keep-alive', () => {
  let server: Server | undefined;
  let client: LocalDynamoDbClient | undefined;
  afterEach(async () => {
    client?.destroy();
    server?.closeAllConnections();
    await new Promise((resolve) => server?.close(resolve));
  });

  it('drops an idle socket before the server’s announced keep-alive timeout instead of reusing it as the server closes it', async () => {
    // A reused socket that the server closes at that moment fails with ECONNRESET
    // ("socket hang up"): a turn lost to STORAGE_UNAVAILABLE under the chat soak.
    let connections = 0;
    server = createServer((_req, res) => res.end('{}'));
    server.keepAliveTimeout = 2_000; // announced as "Keep-Alive: timeout=2"
    server.on('connection', () => (connections += 1));
    await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    client = new LocalDynamoDbClient(`http://127.0.0.1:${port}`);
    const get = (): Promise<unknown> =>
      client!.call('GetItem', { TableName: 't', Key: { id: 'a' } });

    await get();
    await get(); // at once: the same socket
    expect(connections).toBe(1);
    // Past the hint minus Node's one-second margin, before the server's own timeout.
    await new Promise((r) => setTimeout(r, 1_500));
    await get();
    expect(connections).toBe(2);
  });
});
