import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, connect, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { silentLogger } from 'chatbot-mcp-server/core';
import { startEmbeddedDynamoDb } from 'chatbot-mcp-server/records';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  startLocalGateway,
  type LocalGateway,
} from '../../src/transports/local/start-local-gateway.js';
import { ChatClient } from '../support/ws-client.js';

/** A TCP proxy that can be taken down and brought back on the same port: the store "goes away". */
async function outageProxy(
  target: number,
): Promise<{ port: number; down(): Promise<void>; up(): Promise<void> }> {
  const sockets = new Set<Socket>();
  let server: Server;
  let port = 0;
  const listen = () =>
    new Promise<void>((resolve) => {
      server = createServer((client) => {
        const upstream = connect(target, '127.0.0.1');
        sockets.add(client).add(upstream);
        client.pipe(upstream).pipe(client);
        const drop = () => (
          client.destroy(),
          upstream.destroy(),
          sockets.delete(client),
          sockets.delete(upstream)
        );
        client.on('error', drop).on('close', drop);
        upstream.on('error', drop).on('close', drop);
      }).listen(port, '127.0.0.1', () => {
        port = (server.address() as { port: number }).port;
        resolve();
      });
    });
  await listen();
  return {
    port,
    down: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
    up: listen,
  };
}

describe('chat with its record store unavailable for a while (DynamoDB API behind a proxy taken down and back)', () => {
  let dataDir: string;
  let gw: LocalGateway;
  let store: { close(): Promise<void> };
  let proxy: Awaited<ReturnType<typeof outageProxy>>;
  beforeAll(async () => {
    // The AWS SDK reads credentials from the process environment; DynamoDB-compatible local stores accept any.
    process.env.AWS_ACCESS_KEY_ID ??= 'local';
    process.env.AWS_SECRET_ACCESS_KEY ??= 'local';
    dataDir = mkdtempSync(join(tmpdir(), 'gw-outage-'));
    const embedded = await startEmbeddedDynamoDb({ dataDir, inMemory: true });
    store = embedded;
    proxy = await outageProxy(Number(new URL(embedded.endpoint).port));
    gw = await startLocalGateway({
      env: {
        LOG_LEVEL: 'error',
        RECORD_STORE: 'dynamodb',
        AWS_REGION: 'local',
        AWS_ACCESS_KEY_ID: 'local',
        AWS_SECRET_ACCESS_KEY: 'local',
        DYNAMODB_ENDPOINT: `http://127.0.0.1:${proxy.port}`,
        CHATBOT_CREATE_TABLES: 'true',
        CHAT_FRAMES_PER_SECOND: '100',
      },
      dataDir,
      port: '0',
      logger: silentLogger,
      webRoot: false,
      cleanupIntervalMs: false,
    });
  }, 60_000);
  afterAll(async () => {
    await gw?.close();
    await store?.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('answers with a retryable STORAGE_UNAVAILABLE error while the store is down, keeps serving, and recovers', async () => {
    const c = await ChatClient.open(gw.wsUrl);
    await c.next('session');
    c.send({ type: 'message', id: 'before', content: 'hello' });
    expect((await c.next('finish')).finishReason).toBe('stop');

    await proxy.down();
    c.send({ type: 'message', id: 'during', content: 'hello' });
    const error = await c.next('error', (e) => e.replyTo === 'during', 60_000);
    expect(error).toMatchObject({ code: 'STORAGE_UNAVAILABLE', retryable: true });
    expect(error.message).not.toMatch(/127\.0\.0\.1|ECONNREFUSED|stack/);
    expect((await fetch(`${gw.url}/healthz`)).status).toBe(200);

    await proxy.up();
    c.send({ type: 'message', id: 'during', content: 'hello' }); // the same id: it never ran, so it runs now
    const finish = await c.next('finish', (f) => c.of('finish').indexOf(f) === 1, 30_000);
    expect(finish.finishReason).toBe('stop');
    c.send({ type: 'history' });
    const history = await c.next('history');
    expect(history.messages.filter((m) => m.role === 'user').map((m) => m.clientMessageId)).toEqual(
      ['during', 'before'],
    );
    await c.close();
  }, 120_000);
});
