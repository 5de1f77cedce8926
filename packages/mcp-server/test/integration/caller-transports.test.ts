import { randomUUID } from 'node:crypto';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { silentLogger } from '../../src/logger.js';
import { createRuntime, type Runtime } from '../../src/runtime.js';
import {
  ANONYMOUS_META,
  callAs,
  callParams,
  createdBy,
  metaAs,
  writeCallerTablesFile,
} from '../support/caller-probe.js';
import {
  CLI_PATH,
  assertBuilt,
  childEnv,
  connectStdio,
  makeTempDir,
  removeDir,
} from '../support/cli-process.js';
import { connectClient } from '../support/in-process.js';
import { lambdaEnv, loadLambdaHandler, removeLambdaDataDirs } from '../support/lambda-container.js';
import { startTestHttpServer, type TestHttpServer } from '../support/http-server.js';
import { MCP_HEADERS, post, request } from '../support/mcp-http.js';
import { startDynalite, type RecordBackend } from '../support/record-backends.js';
import { accessClaims, startTestIssuer, type TestIssuer } from '../support/test-issuer.js';

/**
 * One identity rule on every transport (see resolve-caller.ts): a channel the operator owns may
 * name the person with `_meta["chatbot-mcp/caller"]`; an OAuth access token is its own user and
 * `_meta` cannot change that. `created_by` of a created record shows whom the server saw.
 */
const GATEWAY_ISSUER = 'https://login.example.com';
const ALICE = metaAs(GATEWAY_ISSUER, 'alice', ['staff']);
const BOB = metaAs(GATEWAY_ISSUER, 'bob');
const aliceId = `${GATEWAY_ISSUER}#alice`;
const bobId = `${GATEWAY_ISSUER}#bob`;

function textOf(result: CallToolResult): string {
  return result.content.map((c) => (c.type === 'text' ? c.text : '')).join('');
}

/** The checks every operator-owned channel passes, through `call`. */
function operatorChannelChecks(
  call: (
    name: string,
    args: Record<string, unknown>,
    meta?: Record<string, unknown>,
  ) => Promise<CallToolResult>,
): void {
  it('without _meta the caller is the operator', async () => {
    expect(createdBy(await call('create_record', { table: 'notes', data: { t: 1 } }))).toBe(
      'operator',
    );
  });

  it('_meta names the person; anonymous is anonymous', async () => {
    expect(createdBy(await call('create_record', { table: 'notes', data: {} }, ALICE))).toBe(
      aliceId,
    );
    expect(
      createdBy(await call('create_record', { table: 'notes', data: {} }, ANONYMOUS_META)),
    ).toBe('anonymous');
  });

  it('two people on an owner-scoped table see only their own rows', async () => {
    const made = await call('create_record', { table: 'todos', data: { task: 'a' } }, ALICE);
    const id = (made.structuredContent as { record: { id: string } }).record.id;
    await call('create_record', { table: 'todos', data: { task: 'b' } }, BOB);
    const bobReads = await call('read_record', { table: 'todos', record_id: id }, BOB);
    expect(bobReads.isError).toBe(true);
    expect(textOf(bobReads)).toMatch(/^NOT_FOUND: /);
    const bobList = await call('list_records', { table: 'todos', limit: 100 }, BOB);
    const owners = (bobList.structuredContent as { records: { created_by: string }[] }).records.map(
      (r) => r.created_by,
    );
    expect(owners.length).toBeGreaterThan(0);
    expect(new Set(owners)).toEqual(new Set([bobId]));
    const anon = await call('list_records', { table: 'todos' }, ANONYMOUS_META);
    expect(textOf(anon)).toMatch(/^FORBIDDEN: .*needs a signed-in user/);
  });

  it('refuses a malformed identity instead of guessing one', async () => {
    for (const bad of [
      { 'chatbot-mcp/caller': { subject: 'alice' } },
      { 'chatbot-mcp/caller': { issuer: GATEWAY_ISSUER, subject: 'alice', admin: true } },
      { 'chatbot-mcp/caller': { anonymous: false } },
      { 'chatbot-mcp/caller': 'alice' },
    ]) {
      const result = await call('create_record', { table: 'notes', data: {} }, bad);
      expect(result.isError).toBe(true);
      expect(textOf(result)).toMatch(/^VALIDATION: _meta\["chatbot-mcp\/caller"\]/);
    }
  });
}

describe('in-process transport (the gateway builds the server)', () => {
  let dir: string;
  let runtime: Runtime;
  let connected: Awaited<ReturnType<typeof connectClient>>;

  beforeAll(async () => {
    dir = await makeTempDir('caller-inproc');
    runtime = await createRuntime(
      loadConfig({}, { dataDir: dir, configFile: await writeCallerTablesFile(dir) }),
      silentLogger,
      { inMemory: true },
    );
    connected = await connectClient(runtime.registry);
  });
  afterAll(async () => {
    await connected?.close();
    await runtime?.close();
    await removeDir(dir);
  });

  operatorChannelChecks((name, args, meta) => callAs(connected.client, name, args, meta));

  it('the table resource shows the owner scope and the managed attributes', async () => {
    const read = await connected.client.readResource({ uri: 'table://todos' });
    const text = (read.contents[0] as { text: string }).text;
    expect(JSON.parse(text)).toMatchObject({
      scope: 'owner',
      managedAttributes: ['version', 'created_at', 'updated_at', 'created_by', 'updated_by'],
    });
  });
});

describe('Streamable HTTP with the static token and OAuth', () => {
  let dir: string;
  let issuer: TestIssuer;
  let runtime: Runtime;
  let server: TestHttpServer;
  const STATIC = 'static-secret-for-the-gateway';

  async function oauthToken(claims: Record<string, unknown> = {}): Promise<string> {
    return issuer.sign({
      ...accessClaims(issuer.issuer, server.url, 'mcp:read mcp:write'),
      ...claims,
    });
  }
  async function callHttp(
    authorization: string,
    name: string,
    args: Record<string, unknown>,
    meta?: Record<string, unknown>,
  ): Promise<CallToolResult> {
    const response = await post(server.url, request('tools/call', callParams(name, args, meta)), {
      authorization,
    });
    expect(response.status, response.text).toBe(200);
    return (response.body as { result: CallToolResult }).result;
  }

  beforeAll(async () => {
    dir = await makeTempDir('caller-http');
    issuer = await startTestIssuer();
    runtime = await createRuntime(
      loadConfig({}, { dataDir: dir, configFile: await writeCallerTablesFile(dir) }),
      silentLogger,
      { inMemory: true },
    );
    server = await startTestHttpServer({
      runtime,
      env: { MCP_AUTH_TOKEN: STATIC, MCP_OAUTH_ISSUER: issuer.issuer },
    });
  });
  afterAll(async () => {
    await server?.close();
    await runtime?.close();
    await issuer?.close();
    await removeDir(dir);
  });

  describe('static token (the gateway service credential)', () => {
    operatorChannelChecks((name, args, meta) => callHttp(`Bearer ${STATIC}`, name, args, meta));
  });

  it('an OAuth access token is its user: issuer + sub', async () => {
    const token = await oauthToken({ sub: 'carol', groups: ['finance'] });
    expect(
      createdBy(await callHttp(`Bearer ${token}`, 'create_record', { table: 'notes', data: {} })),
    ).toBe(`${issuer.issuer}#carol`);
  });

  it('an OAuth user cannot impersonate another with _meta (a forged identity, or a malformed one)', async () => {
    const mallory = `Bearer ${await oauthToken({ sub: 'mallory' })}`;
    const victim = `Bearer ${await oauthToken({ sub: 'victim' })}`;
    const victimsRow = await callHttp(victim, 'create_record', {
      table: 'todos',
      data: { secret: 'victim only' },
    });
    const id = (victimsRow.structuredContent as { record: { id: string } }).record.id;
    const forged = metaAs(issuer.issuer, 'victim');

    expect(
      createdBy(await callHttp(mallory, 'create_record', { table: 'notes', data: {} }, forged)),
    ).toBe(`${issuer.issuer}#mallory`);
    // Even a malformed _meta is not looked at: the token decides.
    expect(
      createdBy(
        await callHttp(
          mallory,
          'create_record',
          { table: 'notes', data: {} },
          {
            'chatbot-mcp/caller': 'nonsense',
          },
        ),
      ),
    ).toBe(`${issuer.issuer}#mallory`);
    const read = await callHttp(mallory, 'read_record', { table: 'todos', record_id: id }, forged);
    expect(textOf(read)).toMatch(/^NOT_FOUND: /);
    const listed = await callHttp(mallory, 'list_records', { table: 'todos', limit: 100 }, forged);
    expect(JSON.stringify(listed.structuredContent)).not.toContain('victim only');
    const deleted = await callHttp(
      mallory,
      'delete_record',
      { table: 'todos', record_id: id },
      forged,
    );
    expect(textOf(deleted)).toMatch(/^NOT_FOUND: /);
    // The victim's row is still there for the victim.
    const still = await callHttp(victim, 'read_record', { table: 'todos', record_id: id });
    expect(still.isError ?? false).toBe(false);
  });

  it('an OAuth token without a subject acts for nobody in particular (anonymous), whatever _meta says', async () => {
    const token = `Bearer ${await oauthToken({ sub: undefined })}`;
    expect(
      createdBy(await callHttp(token, 'create_record', { table: 'notes', data: {} }, ALICE)),
    ).toBe('anonymous');
    expect(textOf(await callHttp(token, 'list_records', { table: 'todos' }))).toMatch(
      /^FORBIDDEN: /,
    );
  });
});

describe('Lambda handler (Function URL events and direct invokes)', () => {
  const DOMAIN = 'abcdefghij0123456789.lambda-url.us-east-1.on.aws';
  const AUDIENCE = `https://${DOMAIN}/mcp`;
  const STATIC = 'lambda-static-secret';
  let dir: string;
  let dynamo: RecordBackend;
  let issuer: TestIssuer;
  let handler: Awaited<ReturnType<typeof loadLambdaHandler>>;

  function urlEvent(authorization: string, body: unknown): APIGatewayProxyEventV2 {
    return {
      version: '2.0',
      routeKey: '$default',
      rawPath: '/mcp',
      rawQueryString: '',
      headers: { host: DOMAIN, 'x-forwarded-proto': 'https', ...MCP_HEADERS, authorization },
      requestContext: {
        accountId: 'anonymous',
        apiId: 'abcdefghij0123456789',
        domainName: DOMAIN,
        domainPrefix: 'abcdefghij0123456789',
        http: {
          method: 'POST',
          path: '/mcp',
          protocol: 'HTTP/1.1',
          sourceIp: '203.0.113.7',
          userAgent: 'caller-test',
        },
        requestId: randomUUID(),
        routeKey: '$default',
        stage: '$default',
        time: new Date().toUTCString(),
        timeEpoch: Date.now(),
      },
      body: JSON.stringify(body),
      isBase64Encoded: false,
    };
  }
  async function viaUrl(
    authorization: string,
    name: string,
    args: Record<string, unknown>,
    meta?: Record<string, unknown>,
  ): Promise<CallToolResult> {
    const result = (await handler(
      urlEvent(authorization, request('tools/call', callParams(name, args, meta))),
    )) as APIGatewayProxyStructuredResultV2;
    expect(result.statusCode, result.body).toBe(200);
    return (JSON.parse(result.body ?? '') as { result: CallToolResult }).result;
  }

  beforeAll(async () => {
    dir = await makeTempDir('caller-lambda');
    dynamo = await startDynalite();
    issuer = await startTestIssuer();
    handler = await loadLambdaHandler(
      lambdaEnv(dynamo.endpoint, {
        CHATBOT_CONFIG: await writeCallerTablesFile(dir, `lambda-${randomUUID().slice(0, 8)}`),
        MCP_AUTH_TOKEN: STATIC,
        MCP_OAUTH_ISSUER: issuer.issuer,
        MCP_OAUTH_AUDIENCE: AUDIENCE,
      }),
    );
  });
  afterAll(async () => {
    vi.unstubAllEnvs();
    await dynamo?.close();
    await issuer?.close();
    await removeLambdaDataDirs();
    await removeDir(dir);
  });

  describe('Function URL with the static token', () => {
    operatorChannelChecks((name, args, meta) => viaUrl(`Bearer ${STATIC}`, name, args, meta));
  });

  it('Function URL with an OAuth token: the token user, forged _meta ignored', async () => {
    const token = await issuer.sign({
      ...accessClaims(issuer.issuer, AUDIENCE, 'mcp:read mcp:write'),
      sub: 'dave',
    });
    expect(
      createdBy(
        await viaUrl(`Bearer ${token}`, 'create_record', { table: 'notes', data: {} }, ALICE),
      ),
    ).toBe(`${issuer.issuer}#dave`);
  });

  it('a direct invoke (IAM: the gateway) honours _meta, and is the operator without it', async () => {
    const invoke = async (meta?: Record<string, unknown>): Promise<string> => {
      const answer = (await handler(
        request('tools/call', callParams('create_record', { table: 'notes', data: {} }, meta)),
      )) as { result: CallToolResult };
      return createdBy(answer.result);
    };
    expect(await invoke(BOB)).toBe(bobId);
    expect(await invoke()).toBe('operator');
  });
});

describe('stdio (a child process: whoever spawned it owns the channel)', () => {
  let dir: string;
  let server: Awaited<ReturnType<typeof connectStdio>>;

  beforeAll(async () => {
    assertBuilt();
    dir = await makeTempDir('caller-stdio');
    server = await connectStdio({
      command: process.execPath,
      args: [CLI_PATH, '--data-dir', dir],
      env: childEnv({ CHATBOT_CONFIG: await writeCallerTablesFile(dir) }),
    });
  }, 60_000);
  afterAll(async () => {
    await server?.close();
    await removeDir(dir);
  });

  operatorChannelChecks((name, args, meta) => callAs(server.client, name, args, meta));
});

describe("the data directory's socket (a second stdio server attached to the one holding it)", () => {
  let dir: string;
  let holder: Awaited<ReturnType<typeof connectStdio>>;
  let attached: Awaited<ReturnType<typeof connectStdio>>;

  beforeAll(async () => {
    assertBuilt();
    dir = await makeTempDir('caller-socket');
    const env = childEnv({ CHATBOT_CONFIG: await writeCallerTablesFile(dir) });
    const args = [CLI_PATH, '--data-dir', dir];
    holder = await connectStdio({ command: process.execPath, args, env });
    attached = await connectStdio({ command: process.execPath, args, env });
    // The second one serves through the holder's socket (it cannot open the stores itself).
    await callAs(attached.client, 'list_records', { table: 'notes' });
    expect(attached.stderr()).toMatch(/attached to pid \d+/);
  }, 90_000);
  afterAll(async () => {
    await attached?.close();
    await holder?.close();
    await removeDir(dir);
  });

  operatorChannelChecks((name, args, meta) => callAs(attached.client, name, args, meta));
});
