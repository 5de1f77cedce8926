import { randomUUID } from 'node:crypto';
import { LambdaClient } from '@aws-sdk/client-lambda';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { LambdaInvokeClientTransport } from '../../src/adapters/aws/lambda-invoke-transport.js';
import { SERVER_NAME } from '../../src/version.js';
import {
  startGatedDynamoDbProxy,
  type GatedDynamoDbProxy,
} from '../support/gated-dynamodb-proxy.js';
import { startDynalite, type RecordBackend } from '../support/record-backends.js';
import {
  lambdaEnv,
  loadLambdaHandler,
  removeLambdaDataDirs,
  type McpLambdaHandler,
} from '../support/lambda-container.js';
import {
  startLambdaInvokeEmulator,
  type LambdaInvokeEmulator,
} from '../support/lambda-invoke-emulator.js';
import { startLambdaUrlEmulator, type LambdaUrlEmulator } from '../support/lambda-url-emulator.js';
import {
  connectHttpClient,
  initializeRequest,
  MCP_HEADERS,
  preferSseFetch,
  request,
  sseData,
  toolCall,
} from '../support/mcp-http.js';
import {
  ALL_TOOLS,
  callError,
  callOk,
  documentRoundTrip,
  recordRoundTrip,
} from '../support/tool-results.js';

const DOMAIN = 'abcdefghij0123456789.lambda-url.us-east-1.on.aws';

let dynamo: RecordBackend;
let handler: McpLambdaHandler;

beforeAll(async () => {
  dynamo = await startDynalite();
  handler = await loadLambdaHandler(lambdaEnv(dynamo.endpoint));
});

afterAll(async () => {
  vi.unstubAllEnvs();
  await dynamo.close();
  await removeLambdaDataDirs();
});

/** A Function URL / HTTP API payload v2 event, written out by hand as AWS documents it. */
function httpEvent(options: {
  method?: string;
  path?: string;
  headers?: Record<string, string>;
  body?: unknown;
  base64?: boolean;
}): APIGatewayProxyEventV2 {
  const method = options.method ?? 'POST';
  const path = options.path ?? '/mcp';
  const text =
    options.body === undefined
      ? undefined
      : typeof options.body === 'string'
        ? options.body
        : JSON.stringify(options.body);
  return {
    version: '2.0',
    routeKey: '$default',
    rawPath: path,
    rawQueryString: '',
    headers: {
      host: DOMAIN,
      'user-agent': 'lambda-handler-test',
      'x-forwarded-proto': 'https',
      ...(method === 'POST' && MCP_HEADERS),
      ...options.headers,
    },
    requestContext: {
      accountId: 'anonymous',
      apiId: 'abcdefghij0123456789',
      domainName: DOMAIN,
      domainPrefix: 'abcdefghij0123456789',
      http: {
        method,
        path,
        protocol: 'HTTP/1.1',
        sourceIp: '203.0.113.7',
        userAgent: 'lambda-handler-test',
      },
      requestId: randomUUID(),
      routeKey: '$default',
      stage: '$default',
      time: new Date().toUTCString(),
      timeEpoch: Date.now(),
    },
    ...(text !== undefined && {
      body: options.base64 ? Buffer.from(text).toString('base64') : text,
    }),
    isBase64Encoded: options.base64 ?? false,
  };
}

async function invokeHttp(
  event: APIGatewayProxyEventV2,
): Promise<APIGatewayProxyStructuredResultV2 & { json?: unknown }> {
  const result = (await handler(event)) as APIGatewayProxyStructuredResultV2;
  let json: unknown;
  try {
    json = result.body ? (JSON.parse(result.body) as unknown) : undefined;
  } catch {
    json = undefined;
  }
  return { ...result, json };
}

describe('Lambda handler with hand-built payload v2 events (API Gateway HTTP API / Function URL)', () => {
  it('initialize, tools/list and tools/call', async () => {
    const init = await invokeHttp(httpEvent({ body: initializeRequest(1) }));
    expect(init.statusCode).toBe(200);
    expect(init.headers?.['content-type']).toMatch(/^application\/json/);
    expect(init.isBase64Encoded).toBe(false);
    expect(init.json).toMatchObject({
      id: 1,
      result: { serverInfo: { name: SERVER_NAME }, capabilities: { tools: {} } },
    });

    const list = await invokeHttp(httpEvent({ body: request('tools/list', {}, 2) }));
    expect(
      (list.json as { result: { tools: { name: string }[] } }).result.tools.map((t) => t.name),
    ).toEqual(ALL_TOOLS);

    const created = await invokeHttp(
      httpEvent({
        body: toolCall('create_record', { table: 'sessions', data: { topic: 'via event' } }, 3),
      }),
    );
    const record = (
      created.json as { result: { structuredContent: { record: Record<string, unknown> } } }
    ).result.structuredContent.record;
    expect(record).toMatchObject({ topic: 'via event', version: 1 });

    // A base64-encoded body (as Function URLs send non-text content types) reads the same.
    const read = await invokeHttp(
      httpEvent({
        body: toolCall('read_record', { table: 'sessions', record_id: record.sessionId }, 4),
        base64: true,
      }),
    );
    expect(read.json).toMatchObject({ id: 4, result: { structuredContent: { record } } });
  });

  it('answers a notification with 202 and no body', async () => {
    const result = await invokeHttp(
      httpEvent({ body: { jsonrpc: '2.0', method: 'notifications/initialized' } }),
    );
    expect(result.statusCode).toBe(202);
    expect(result.body).toBe('');
  });

  it('sends an SSE answer whole when Accept lists text/event-stream first', async () => {
    const result = await invokeHttp(
      httpEvent({
        body: toolCall('list_records', { table: 'analytics' }, 5),
        headers: { accept: 'text/event-stream, application/json' },
      }),
    );
    expect(result.statusCode).toBe(200);
    expect(result.headers?.['content-type']).toBe('text/event-stream');
    expect(sseData(result.body ?? '').map((d) => JSON.parse(d) as unknown)).toEqual([
      expect.objectContaining({
        id: 5,
        result: expect.objectContaining({ structuredContent: { records: [] } }),
      }),
    ]);
  });

  it('GET /healthz 200, GET /mcp 405, unknown path 404, malformed JSON 400', async () => {
    expect((await invokeHttp(httpEvent({ method: 'GET', path: '/healthz' }))).statusCode).toBe(200);
    const get = await invokeHttp(httpEvent({ method: 'GET' }));
    expect(get.statusCode).toBe(405);
    expect(get.headers?.allow).toBe('POST');
    expect((await invokeHttp(httpEvent({ path: '/other', body: {} }))).statusCode).toBe(404);
    const malformed = await invokeHttp(httpEvent({ body: '{"jsonrpc":' }));
    expect(malformed.statusCode).toBe(400);
    expect(malformed.json).toMatchObject({ error: { code: -32700 } });
  });

  it('leaves Host to API Gateway but still refuses a foreign browser Origin', async () => {
    const foreignHost = await invokeHttp(
      httpEvent({ body: initializeRequest(6), headers: { host: 'evil.example' } }),
    );
    expect(foreignHost.statusCode).toBe(200);
    const foreignOrigin = await invokeHttp(
      httpEvent({ body: initializeRequest(7), headers: { origin: 'https://evil.example' } }),
    );
    expect(foreignOrigin.statusCode).toBe(403);
  });

  it('takes a direct-invoke JSON-RPC payload and returns the JSON-RPC response (null for a notification)', async () => {
    expect(await handler(request('tools/list', {}, 'direct-1'))).toMatchObject({
      id: 'direct-1',
      result: { tools: expect.any(Array) },
    });
    expect(await handler({ jsonrpc: '2.0', method: 'notifications/initialized' })).toBeNull();
    expect(await handler({ jsonrpc: '2.0', id: 1, method: 5 })).toMatchObject({
      error: { code: -32700 },
    });
  });
});

describe('Lambda handler behind a local Function URL emulator (SDK StreamableHTTPClientTransport)', () => {
  let emulator: LambdaUrlEmulator;
  beforeAll(async () => {
    emulator = await startLambdaUrlEmulator(handler);
  });
  afterAll(() => emulator.close());

  it('serves the SDK HTTP client: initialize, tools/list, record and document round trips', async () => {
    const mcp = await connectHttpClient(`${emulator.url}/mcp`);
    try {
      expect(mcp.getServerVersion()?.name).toBe(SERVER_NAME);
      expect((await mcp.listTools()).tools.map((t) => t.name)).toEqual(ALL_TOOLS);
      await recordRoundTrip(mcp);
      // The document tools on the container's embedded index (CHATBOT_DATA_DIR).
      await documentRoundTrip(mcp, 'lambda-url/quokka-care.md');
    } finally {
      await mcp.close();
    }
    const last = emulator.events.at(-1);
    expect(last).toMatchObject({
      version: '2.0',
      rawPath: '/mcp',
      requestContext: { http: { method: 'POST' } },
    });
  });

  it('serves SSE answers, sent whole', async () => {
    const mcp = await connectHttpClient(`${emulator.url}/mcp`, { fetch: preferSseFetch });
    try {
      await callOk(mcp, 'list_records', { table: 'sessions' });
      expect(await callError(mcp, 'read_record', { table: 'sessions', record_id: 'nope' })).toMatch(
        /^NOT_FOUND: /,
      );
    } finally {
      await mcp.close();
    }
  });
});

describe('Lambda direct invoke: LambdaInvokeClientTransport + @aws-sdk/client-lambda against a local Invoke API emulator', () => {
  let emulator: LambdaInvokeEmulator;
  let lambda: LambdaClient;
  beforeAll(async () => {
    emulator = await startLambdaInvokeEmulator({
      'chatbot-mcp': handler,
      broken: () => Promise.reject(new TypeError('cannot read properties of undefined')),
    });
    lambda = new LambdaClient({
      region: 'us-east-1',
      endpoint: emulator.endpoint,
      credentials: { accessKeyId: 'AKIDLOCAL', secretAccessKey: 'local-secret' },
      maxAttempts: 1,
    });
  });
  afterAll(async () => {
    lambda.destroy();
    await emulator.close();
  });

  async function connect(functionName: string, errors: Error[] = []): Promise<Client> {
    const transport = new LambdaInvokeClientTransport({ functionName, client: lambda });
    const client = new Client({ name: 'lambda-invoke-test', version: '0.0.0' });
    client.onerror = (error) => errors.push(error);
    await client.connect(transport);
    return client;
  }

  it('initializes, lists tools, creates and reads a record, round-trips a document', async () => {
    const mcp = await connect('chatbot-mcp');
    try {
      expect(mcp.getServerVersion()?.name).toBe(SERVER_NAME);
      expect((await mcp.listTools()).tools.map((t) => t.name)).toEqual(ALL_TOOLS);
      const created = (await callOk(mcp, 'create_record', {
        table: 'sessions',
        data: { topic: 'invoked' },
      })) as {
        record: { sessionId: string };
      };
      const read = await callOk(mcp, 'read_record', {
        table: 'sessions',
        record_id: created.record.sessionId,
      });
      expect(read).toEqual(created);
      expect(
        await callError(mcp, 'update_record', {
          table: 'chatbot-sessions',
          record_id: 'x',
          data: { a: 1 },
        }),
      ).toMatch(/^VALIDATION: /);
      await documentRoundTrip(mcp, 'lambda-invoke/quokka-care.md');
    } finally {
      await mcp.close();
    }
    const calls = emulator.invocations.filter((i) => i.functionName === 'chatbot-mcp');
    expect(calls.map((c) => (c.payload as { method: string }).method)).toEqual(
      expect.arrayContaining([
        'initialize',
        'notifications/initialized',
        'tools/list',
        'tools/call',
      ]),
    );
    for (const call of calls) {
      expect(call.invocationType).toBe('RequestResponse');
      expect(call.authorization).toMatch(
        /^AWS4-HMAC-SHA256 Credential=AKIDLOCAL\/\d{8}\/us-east-1\/lambda\/aws4_request/,
      );
    }
  });

  it('accepts a function ARN and builds its own client from region and endpoint', async () => {
    vi.stubEnv('AWS_ACCESS_KEY_ID', 'AKIDFROMENV');
    vi.stubEnv('AWS_SECRET_ACCESS_KEY', 'env-secret');
    const transport = new LambdaInvokeClientTransport({
      functionName: 'arn:aws:lambda:us-east-1:123456789012:function:chatbot-mcp',
      region: 'us-east-1',
      endpoint: emulator.endpoint,
    });
    const mcp = new Client({ name: 'lambda-invoke-test', version: '0.0.0' });
    await mcp.connect(transport);
    try {
      await callOk(mcp, 'list_records', { table: 'conversations' });
    } finally {
      await mcp.close();
    }
    expect(emulator.invocations.at(-1)?.authorization).toContain('Credential=AKIDFROMENV/');
  });

  it('turns a function error into a JSON-RPC error for the pending request', async () => {
    const errors: Error[] = [];
    await expect(connect('broken', errors)).rejects.toThrow(
      /MCP server Lambda failed \(Unhandled\).*cannot read properties of undefined/,
    );
    expect(errors.map((e) => e.message)).toEqual([
      expect.stringContaining('MCP server Lambda failed (Unhandled)'),
    ]);
  });

  it('rejects with the AWS error when the function does not exist', async () => {
    await expect(connect('no-such-function')).rejects.toMatchObject({
      name: 'ResourceNotFoundException',
    });
  });
});

describe('Lambda direct invoke when the handler times out (MCP_REQUEST_TIMEOUT_MS)', () => {
  let proxy: GatedDynamoDbProxy;
  let emulator: LambdaInvokeEmulator;
  let lambda: LambdaClient;
  let slow: McpLambdaHandler;
  beforeAll(async () => {
    // DynamoDB PutItem held at a gate: create_record outlives the handler's 200 ms limit.
    proxy = await startGatedDynamoDbProxy(dynamo.endpoint, 'PutItem');
    slow = await loadLambdaHandler(lambdaEnv(proxy.endpoint, { MCP_REQUEST_TIMEOUT_MS: '200' }));
    emulator = await startLambdaInvokeEmulator({ 'slow-mcp': slow });
    lambda = new LambdaClient({
      region: 'us-east-1',
      endpoint: emulator.endpoint,
      credentials: { accessKeyId: 'AKIDLOCAL', secretAccessKey: 'local-secret' },
    });
  });
  afterAll(async () => {
    lambda.destroy();
    await emulator.close();
    await proxy.close();
  });

  it('answers the pending request with the timeout refusal instead of leaving it waiting', async () => {
    const mcp = new Client({ name: 'lambda-invoke-test', version: '0.0.0' });
    await mcp.connect(
      new LambdaInvokeClientTransport({ functionName: 'slow-mcp', client: lambda }),
    );
    try {
      // The handler answers {id: null, error: 504 refusal}; the transport gives it this request's id.
      const started = Date.now();
      await expect(
        mcp.callTool(
          {
            name: 'create_record',
            arguments: { table: 'sessions', data: { sessionId: 'late-write' } },
          },
          undefined,
          {
            timeout: 10_000,
          },
        ),
      ).rejects.toMatchObject({
        code: -32001,
        message: expect.stringContaining('MCP_REQUEST_TIMEOUT_MS'),
      });
      expect(Date.now() - started).toBeLessThan(5_000);
      expect(emulator.invocations.at(-1)?.payload).toMatchObject({ method: 'tools/call' });
    } finally {
      proxy.open();
      await mcp.close();
    }
    // A timeout is not a rollback: the write goes on and lands once the store answers.
    let found: { result?: { isError?: boolean } } = {};
    for (let i = 0; i < 50; i++) {
      found = (await slow(
        toolCall('read_record', { table: 'sessions', record_id: 'late-write' }, 'r'),
      )) as typeof found;
      if (found.result && !found.result.isError) break;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    expect(found).toMatchObject({
      result: { structuredContent: { record: { sessionId: 'late-write', version: 1 } } },
    });
  });
});

describe('Lambda handler with MCP_AUTH_TOKEN', () => {
  const TOKEN = 'lambda-token-81b3';
  let secured: McpLambdaHandler;
  beforeAll(async () => {
    secured = await loadLambdaHandler(lambdaEnv(dynamo.endpoint, { MCP_AUTH_TOKEN: TOKEN }));
  });

  it('HTTP events need the bearer token; direct invokes are authorized by IAM and do not', async () => {
    const event = (headers: Record<string, string>) =>
      httpEvent({ body: initializeRequest(1), headers });
    const without = (await secured(event({}))) as APIGatewayProxyStructuredResultV2;
    expect(without.statusCode).toBe(401);
    expect(without.headers?.['www-authenticate']).toBe('Bearer realm="mcp"');
    expect(
      (
        (await secured(
          event({ authorization: 'Bearer wrong' }),
        )) as APIGatewayProxyStructuredResultV2
      ).statusCode,
    ).toBe(401);
    expect(
      (
        (await secured(
          event({ authorization: `Bearer ${TOKEN}` }),
        )) as APIGatewayProxyStructuredResultV2
      ).statusCode,
    ).toBe(200);
    expect(await secured(request('tools/list', {}, 'iam'))).toMatchObject({
      id: 'iam',
      result: { tools: expect.any(Array) },
    });
  });
});
