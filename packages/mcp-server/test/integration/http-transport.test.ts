import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { DynamoDBDocumentClient, GetCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  startEmbeddedDynamoDb,
  type EmbeddedDynamoDb,
} from '../../src/adapters/local/embedded-dynamodb.js';
import { createDocumentClient } from '../../src/adapters/aws/dynamodb-client.js';
import { loadHttpConfig } from '../../src/config.js';
import { ConfigError } from '../../src/errors.js';
import { createLogger } from '../../src/logger.js';
import { SERVER_NAME } from '../../src/version.js';
import { assertBuilt, makeTempDir, removeDir } from '../support/cli-process.js';
import { GatedRecordStore, gatedRuntime } from '../support/gated-record-store.js';
import {
  startGatedDynamoDbProxy,
  type GatedDynamoDbProxy,
} from '../support/gated-dynamodb-proxy.js';
import { startHttpCli, type HttpCliProcess } from '../support/http-cli.js';
import { startTestHttpServer, type TestHttpServer } from '../support/http-server.js';
import {
  connectHttpClient,
  initializeRequest,
  post,
  preferSseFetch,
  rawHttp,
  read,
  sseData,
  toolCall,
} from '../support/mcp-http.js';
import { ALL_TOOLS, callOk, documentRoundTrip, recordRoundTrip } from '../support/tool-results.js';

const cleanups: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function serve(
  options: Parameters<typeof startTestHttpServer>[0] = {},
): Promise<TestHttpServer> {
  const server = await startTestHttpServer(options);
  cleanups.push(() => server.close());
  return server;
}

async function client(
  url: string,
  options: Parameters<typeof connectHttpClient>[1] = {},
): Promise<Client> {
  const connected = await connectHttpClient(url, options);
  cleanups.push(() => connected.close());
  return connected;
}

/** A fetch that fails fast: the outcome of a new connection to a server that should refuse it. */
async function connectError(url: string): Promise<string> {
  const error = await fetch(url, {
    method: 'POST',
    body: '{}',
    signal: AbortSignal.timeout(2000),
  }).then(
    () => undefined,
    (e: unknown) => e as Error & { cause?: { code?: string } },
  );
  return error?.cause?.code ?? String(error);
}

describe('startHttpServer: MCP over Streamable HTTP on 127.0.0.1 (SDK StreamableHTTPClientTransport)', () => {
  it('initializes, lists the tools and calls them', async () => {
    const server = await serve();
    const mcp = await client(server.url);
    expect(mcp.getServerVersion()?.name).toBe(SERVER_NAME);
    expect(mcp.getServerCapabilities()?.tools).toBeDefined();
    const { tools } = await mcp.listTools();
    expect(tools.map((t) => t.name)).toEqual(ALL_TOOLS);
    await recordRoundTrip(mcp);
    await documentRoundTrip(mcp, 'http/quokka-care.md');
  });

  it('answers with JSON by default', async () => {
    const server = await serve();
    const response = await post(server.url, initializeRequest(1));
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^application\/json/);
    expect(response.body).toMatchObject({
      jsonrpc: '2.0',
      id: 1,
      result: { serverInfo: { name: SERVER_NAME } },
    });
    expect(response.headers.get('mcp-session-id')).toBeNull(); // stateless
  });

  it('answers with SSE when Accept lists text/event-stream first', async () => {
    const server = await serve();
    const response = await post(server.url, toolCall('list_records', { table: 'sessions' }, 7), {
      accept: 'text/event-stream, application/json',
    });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('text/event-stream');
    expect(sseData(response.text)).toHaveLength(1);
    expect(response.body).toMatchObject({ id: 7, result: { structuredContent: { records: [] } } });

    // The SDK client reads SSE answers as well: a whole round trip with SSE responses.
    const mcp = await client(server.url, { fetch: preferSseFetch });
    await recordRoundTrip(mcp);
    await documentRoundTrip(mcp, 'http-sse/quokka-care.md');
  });

  it('serves GET /healthz', async () => {
    const server = await serve();
    const response = await fetch(`${server.origin}/healthz`);
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ status: 'ok', tools: 9 });
    expect(ALL_TOOLS).toHaveLength(9);
  });

  it.each(['GET', 'DELETE'])(
    'refuses %s /mcp with 405 and Allow: POST (stateless: no streams, no sessions)',
    async (method) => {
      const server = await serve();
      const response = await read(
        await fetch(server.url, { method, headers: { accept: 'text/event-stream' } }),
      );
      expect(response.status).toBe(405);
      expect(response.headers.get('allow')).toBe('POST');
      expect(response.body).toMatchObject({ jsonrpc: '2.0', error: { code: -32000 } });
    },
  );

  it('answers 404 outside /mcp and /healthz', async () => {
    const server = await serve();
    expect((await fetch(`${server.origin}/other`, { method: 'POST' })).status).toBe(404);
  });
});

describe('startHttpServer: Host and Origin checks (DNS rebinding, browsers)', () => {
  const body = JSON.stringify(initializeRequest(1));
  const send = (server: TestHttpServer, headers: Record<string, string>) =>
    rawHttp(server.url, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        accept: 'application/json, text/event-stream',
        ...headers,
      },
      body,
    });

  it('refuses a Host that is not loopback or allowed with 403', async () => {
    const server = await serve();
    const port = new URL(server.url).port;
    for (const host of ['evil.example', `evil.example:${port}`, `127.0.0.1.evil.example:${port}`]) {
      const response = await send(server, { host });
      expect(response.status, host).toBe(403);
      expect(response.text).toContain('Host header is not allowed');
    }
    for (const host of [`127.0.0.1:${port}`, `localhost:${port}`, 'LOCALHOST']) {
      expect((await send(server, { host })).status, host).toBe(200);
    }
  });

  it('accepts a host listed in MCP_ALLOWED_HOSTS', async () => {
    const server = await serve({ env: { MCP_ALLOWED_HOSTS: 'mcp.internal' } });
    expect((await send(server, { host: 'mcp.internal:443' })).status).toBe(200);
    expect((await send(server, { host: 'other.internal' })).status).toBe(403);
  });

  it('refuses a foreign Origin with 403, allows none, loopback origins and MCP_ALLOWED_ORIGINS', async () => {
    // Written as people write it; matched as browsers send it (no path, lower case).
    const server = await serve({
      env: { MCP_ALLOWED_ORIGINS: 'https://Chat.Example.com/, http://admin.example:8080' },
    });
    for (const origin of [
      'https://evil.example',
      'null',
      'http://localhost.evil.example',
      'https://chat.example.com.evil',
      'http://chat.example.com',
      'http://admin.example',
    ]) {
      const response = await send(server, { origin });
      expect(response.status, origin).toBe(403);
      expect(response.text).toContain('Origin is not allowed');
    }
    expect((await send(server, {})).status).toBe(200);
    for (const origin of [
      'http://localhost:5173',
      'http://127.0.0.1:8080',
      'http://[::1]:3000',
      'https://chat.example.com',
      'http://admin.example:8080',
    ]) {
      expect((await send(server, { origin })).status, origin).toBe(200);
    }
  });

  it('refuses at start-up an MCP_ALLOWED_ORIGINS entry that is not an origin', () => {
    for (const value of ['chat.example.com', 'ftp://files.example', '*']) {
      expect(() => loadHttpConfig({ MCP_ALLOWED_ORIGINS: value })).toThrow(ConfigError);
      expect(() => loadHttpConfig({ MCP_ALLOWED_ORIGINS: value })).toThrow(
        /^MCP_ALLOWED_ORIGINS: /,
      );
    }
  });
});

describe('startHttpServer with MCP_AUTH_TOKEN', () => {
  const TOKEN = 'tok-3f9a1c7e-very-secret';
  let server: TestHttpServer;
  const lines: string[] = [];
  beforeAll(async () => {
    server = await startTestHttpServer({
      env: { MCP_AUTH_TOKEN: TOKEN },
      logger: createLogger('debug', (line) => lines.push(line)),
    });
  });
  afterAll(() => server.close());

  it('answers 401 with WWW-Authenticate without a token or with a wrong one', async () => {
    for (const authorization of [
      undefined,
      'Bearer wrong-token',
      `Basic ${TOKEN}`,
      `Bearer ${TOKEN}x`,
      'Bearer ',
    ]) {
      const response = await post(
        server.url,
        initializeRequest(1),
        authorization ? { authorization } : {},
      );
      expect(response.status, authorization).toBe(401);
      expect(response.headers.get('www-authenticate')).toBe('Bearer realm="mcp"');
      expect(response.body).toMatchObject({ error: { code: -32001 } });
    }
  });

  it('serves a client that sends the token', async () => {
    const response = await post(server.url, initializeRequest(1), {
      authorization: `Bearer ${TOKEN}`,
    });
    expect(response.status).toBe(200);
    const mcp = await client(server.url, { token: TOKEN });
    await callOk(mcp, 'list_records', { table: 'sessions' });
    await expect(connectHttpClient(server.url, { token: 'wrong' })).rejects.toMatchObject({
      code: 401,
    });
  });

  it('never writes the token to the log', async () => {
    await post(server.url, toolCall('read_record', { table: 'sessions', record_id: TOKEN }), {
      authorization: `Bearer ${TOKEN}-wrong`,
    });
    await post(server.url, toolCall('list_records', { table: 'nope' }), {
      authorization: `Bearer ${TOKEN}`,
    });
    expect(lines.length).toBeGreaterThan(0);
    expect(lines.filter((line) => line.includes(TOKEN))).toEqual([]);
  });
});

describe('startHttpServer limits', () => {
  it('refuses a 10 MB body with 413, sent whole or chunked, and keeps serving', async () => {
    const server = await serve();
    const big = JSON.stringify(
      toolCall('create_record', { table: 'sessions', data: { blob: 'x'.repeat(10_000_000) } }),
    );
    const whole = await post(server.url, big);
    expect(whole.status).toBe(413);
    expect(whole.body).toMatchObject({
      error: { code: -32600, message: expect.stringContaining('MCP_MAX_BODY_BYTES') },
    });

    const encoded = new TextEncoder().encode(big);
    const stream = new ReadableStream<Uint8Array>({
      start(controller) {
        for (let i = 0; i < encoded.length; i += 65_536)
          controller.enqueue(encoded.subarray(i, i + 65_536));
        controller.close();
      },
    });
    const chunked = await fetch(server.url, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        accept: 'application/json, text/event-stream',
      },
      body: stream,
      duplex: 'half',
    }).then(
      (r) => `HTTP ${r.status}`,
      (e: unknown) => `connection failed: ${String((e as Error).cause ?? e)}`,
    );
    // Without Content-Length the server stops reading at the limit, answers, and closes the
    // connection (Connection: close) so that the client does not reuse it.
    expect(chunked).toBe('HTTP 413');

    const mcp = await client(server.url);
    await callOk(mcp, 'list_records', { table: 'sessions' });
  });

  it('answers 504 when a call outlives MCP_REQUEST_TIMEOUT_MS, and keeps serving', async () => {
    const store = new GatedRecordStore();
    const runtime = await gatedRuntime(store);
    cleanups.push(() => runtime.close()); // cleanups run in reverse: after the server's close
    const server = await serve({ runtime, env: { MCP_REQUEST_TIMEOUT_MS: '200' } });
    const slow = await post(
      server.url,
      toolCall('create_record', { table: 'sessions', data: { a: 1 } }, 3),
    );
    expect(slow.status).toBe(504);
    expect(slow.body).toMatchObject({
      error: { code: -32001, message: expect.stringContaining('MCP_REQUEST_TIMEOUT_MS') },
    });
    store.open();
    const fast = await post(server.url, toolCall('list_records', { table: 'sessions' }, 4));
    expect(fast.status).toBe(200);
    expect(fast.body).toMatchObject({
      id: 4,
      result: { structuredContent: { records: [{ a: 1 }] } },
    });
  });
});

describe('startHttpServer graceful shutdown', () => {
  it.each([
    ['JSON', 'application/json, text/event-stream'],
    ['SSE', 'text/event-stream, application/json'],
  ])(
    'finishes an in-flight call (%s response) and refuses new connections',
    async (_mode, accept) => {
      const store = new GatedRecordStore();
      const runtime = await gatedRuntime(store);
      cleanups.push(() => runtime.close());
      const server = await startTestHttpServer({ runtime });
      let closed = false;
      cleanups.push(() => (closed ? Promise.resolve() : server.close()));

      const inFlight = post(
        server.url,
        toolCall('create_record', { table: 'sessions', data: { topic: 'in flight' } }, 9),
        {
          accept,
        },
      );
      await store.waitForWriter();
      const closing = server.close().then(() => (closed = true));
      expect(await connectError(server.url)).toBe('ECONNREFUSED');
      expect(closed).toBe(false); // still draining

      store.open();
      const answer = await inFlight;
      expect(answer.status).toBe(200);
      expect(answer.body).toMatchObject({
        id: 9,
        result: { structuredContent: { record: { topic: 'in flight' } } },
      });
      expect(answer.body).not.toHaveProperty('result.isError');
      await closing;
      expect(await connectError(server.url)).toBe('ECONNREFUSED');
    },
  );
});

describe('node dist/cli.js --transport http', () => {
  let dynamo: EmbeddedDynamoDb;
  let proxy: GatedDynamoDbProxy;
  let cli: HttpCliProcess | undefined;
  let dataDir: string;
  beforeAll(async () => {
    assertBuilt();
    dataDir = await makeTempDir('mcp-http-cli');
    dynamo = await startEmbeddedDynamoDb({ dataDir, inMemory: true });
    proxy = await startGatedDynamoDbProxy(dynamo.endpoint, 'PutItem');
  });
  afterAll(async () => {
    await cli?.kill();
    await proxy.close();
    await dynamo.close();
    await removeDir(dataDir);
  });

  it('on SIGTERM finishes the in-flight call, refuses new connections and exits 0', async () => {
    // DynamoDB behind a proxy that holds PutItem: the create below is mid-write at SIGTERM.
    cli = await startHttpCli(['--data-dir', dataDir], {
      RECORD_STORE: 'dynamodb',
      AWS_REGION: 'us-east-1',
      AWS_ACCESS_KEY_ID: 'local',
      AWS_SECRET_ACCESS_KEY: 'local',
      DYNAMODB_ENDPOINT: proxy.endpoint,
      CHATBOT_CREATE_TABLES: 'true',
    });
    const inFlight = post(
      cli.url,
      toolCall('create_record', { table: 'sessions', data: { sessionId: 's-term', n: 1 } }, 1),
    );
    await proxy.waitForHeld();
    cli.child.kill('SIGTERM');
    await cli.waitForLog('shutting down: finishing in-flight requests');
    // The log line comes just before the listener closes: a connection that reaches the backlog
    // in between is reset rather than refused. Either way it is never served.
    expect(['ECONNREFUSED', 'ECONNRESET']).toContain(await connectError(cli.url));

    proxy.open();
    const answer = await inFlight;
    expect(answer.status).toBe(200);
    expect(answer.body).toMatchObject({
      id: 1,
      result: { structuredContent: { record: { sessionId: 's-term', version: 1 } } },
    });
    expect(await cli.exited).toEqual({ code: 0, signal: null });

    const documents = DynamoDBDocumentClient.from(
      createDocumentClient({ region: 'local', endpoint: dynamo.endpoint, localCredentials: true }),
    );
    try {
      const stored = await documents.send(
        new GetCommand({ TableName: 'chatbot-sessions', Key: { sessionId: 's-term' } }),
      );
      expect(stored.Item).toMatchObject({ sessionId: 's-term', n: 1, version: 1 });
    } finally {
      documents.destroy();
    }
  });
});
