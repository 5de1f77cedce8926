import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadHttpConfig } from '../../src/config.js';
import { requestFromEvent, resultFromResponse } from '../../src/http/lambda-events.js';
import { createMcpHttpHandler } from '../../src/http/mcp-http-handler.js';
import { silentLogger } from '../../src/logger.js';
import { startTestHttpServer, type TestHttpServer } from '../support/http-server.js';
import { post, request, toolCall } from '../support/mcp-http.js';
import { accessClaims, startTestIssuer, type TestIssuer } from '../support/test-issuer.js';

/** OAuth 2.1 on the real HTTP server, with JWTs from an issuer on loopback. */
describe('HTTP transport with MCP_OAUTH_ISSUER', () => {
  let issuer: TestIssuer;
  let server: TestHttpServer;
  let resource: string;
  const token = (scope: string, audience = resource) =>
    issuer.sign(accessClaims(issuer.issuer, audience, scope));
  const bearer = async (scope: string) => ({ authorization: `Bearer ${await token(scope)}` });

  beforeAll(async () => {
    issuer = await startTestIssuer();
    server = await startTestHttpServer({
      env: { MCP_OAUTH_ISSUER: issuer.issuer, MCP_AUTH_TOKEN: 'static-secret' },
    });
    resource = server.url;
  });
  afterAll(async () => {
    await server?.close();
    await issuer?.close();
  });

  it('serves protected resource metadata at both well-known addresses', async () => {
    for (const path of [
      '/.well-known/oauth-protected-resource',
      '/.well-known/oauth-protected-resource/mcp',
    ]) {
      const response = await fetch(`${server.origin}${path}`);
      expect(response.status).toBe(200);
      expect(response.headers.get('access-control-allow-origin')).toBe('*');
      expect(await response.json()).toEqual({
        resource: `${server.origin}/mcp`,
        authorization_servers: [issuer.issuer],
        scopes_supported: ['mcp:read', 'mcp:write'],
        bearer_methods_supported: ['header'],
        resource_name: 'chatbot-mcp-server',
      });
    }
  });

  it('answers the metadata only to GET', async () => {
    const response = await fetch(`${server.origin}/.well-known/oauth-protected-resource`, {
      method: 'POST',
    });
    expect(response.status).toBe(405);
    expect(response.headers.get('allow')).toBe('GET');
  });

  it('answers 401 with resource_metadata when no token is sent', async () => {
    const response = await post(server.url, request('tools/list'));
    expect(response.status).toBe(401);
    expect(response.headers.get('www-authenticate')).toBe(
      `Bearer resource_metadata="${server.origin}/.well-known/oauth-protected-resource/mcp"`,
    );
  });

  it.each([
    ['garbage', () => Promise.resolve('garbage')],
    ['for another audience', () => token('mcp:read', 'https://other.example/mcp')],
  ])('answers 401 invalid_token for a token %s', async (_name, make) => {
    const response = await post(server.url, request('tools/list'), {
      authorization: `Bearer ${await make()}`,
    });
    expect(response.status).toBe(401);
    const challenge = response.headers.get('www-authenticate') ?? '';
    expect(challenge).toMatch(/^Bearer /);
    expect(challenge).toContain('error="invalid_token"');
    expect(challenge).toContain(
      `resource_metadata="${server.origin}/.well-known/oauth-protected-resource/mcp"`,
    );
  });

  it('an mcp:read token lists tools and calls read-only tools', async () => {
    const headers = await bearer('mcp:read');
    const list = await post(server.url, request('tools/list'), headers);
    expect(list.status).toBe(200);
    expect((list.body as { result: { tools: unknown[] } }).result.tools.length).toBeGreaterThan(0);
    const call = await post(server.url, toolCall('list_documents', {}), headers);
    expect(call.status).toBe(200);
    expect((call.body as { result: { isError?: boolean } }).result.isError).not.toBe(true);
  });

  it('an mcp:read token calling a write tool gets 403 insufficient_scope, also inside a batch', async () => {
    const headers = await bearer('mcp:read');
    for (const body of [
      toolCall('create_record', { table: 'notes', data: { text: 'x' } }),
      [toolCall('list_documents', {}), toolCall('delete_document', { source: 'a.md' })],
      toolCall('no_such_tool', {}),
    ]) {
      const response = await post(server.url, body, headers);
      expect(response.status).toBe(403);
      expect(response.headers.get('www-authenticate')).toBe(
        `Bearer error="insufficient_scope", scope="mcp:write", resource_metadata="${server.origin}/.well-known/oauth-protected-resource/mcp"`,
      );
    }
    expect(await server.runtime.records.list('notes', { limit: 10 })).toMatchObject({ items: [] });
  });

  it('an mcp:write token calls write tools', async () => {
    const response = await post(
      server.url,
      toolCall('create_record', { table: 'notes', data: { text: 'written with mcp:write' } }),
      await bearer('mcp:write'),
    );
    expect(response.status).toBe(200);
    expect((response.body as { result: { isError?: boolean } }).result.isError).not.toBe(true);
    const notes = await server.runtime.records.list('notes', { limit: 10 });
    expect(notes.items).toContainEqual(expect.objectContaining({ text: 'written with mcp:write' }));
  });

  it('a token with neither scope gets 403 naming mcp:read', async () => {
    const response = await post(server.url, request('tools/list'), await bearer('openid'));
    expect(response.status).toBe(403);
    expect(response.headers.get('www-authenticate')).toContain(
      'error="insufficient_scope", scope="mcp:read"',
    );
  });

  it('the static MCP_AUTH_TOKEN still passes, with every tool', async () => {
    const response = await post(
      server.url,
      toolCall('create_record', { table: 'notes', data: { text: 'static' } }),
      { authorization: 'Bearer static-secret' },
    );
    expect(response.status).toBe(200);
  });
});

describe('HTTP transport with MCP_OAUTH_ISSUER and MCP_PUBLIC_URL', () => {
  it('names the public URL as the resource and expects it as the audience', async () => {
    const issuer = await startTestIssuer();
    const server = await startTestHttpServer({
      env: { MCP_OAUTH_ISSUER: issuer.issuer, MCP_PUBLIC_URL: 'https://mcp.example.com' },
    });
    try {
      const metadata = (await (
        await fetch(`${server.origin}/.well-known/oauth-protected-resource/mcp`)
      ).json()) as { resource: string };
      expect(metadata.resource).toBe('https://mcp.example.com/mcp');
      const unauthenticated = await post(server.url, request('tools/list'));
      expect(unauthenticated.headers.get('www-authenticate')).toBe(
        'Bearer resource_metadata="https://mcp.example.com/.well-known/oauth-protected-resource/mcp"',
      );
      const local = await issuer.sign(accessClaims(issuer.issuer, server.url, 'mcp:read'));
      expect(
        (await post(server.url, request('tools/list'), { authorization: `Bearer ${local}` }))
          .status,
      ).toBe(401);
      const public_ = await issuer.sign(
        accessClaims(issuer.issuer, 'https://mcp.example.com/mcp', 'mcp:read'),
      );
      expect(
        (await post(server.url, request('tools/list'), { authorization: `Bearer ${public_}` }))
          .status,
      ).toBe(200);
    } finally {
      await server.close();
      await issuer.close();
    }
  });

  it('answers 503 (not 401) when the issuer cannot be reached', async () => {
    const issuer = await startTestIssuer();
    const token = await issuer.sign(accessClaims(issuer.issuer, 'x', 'mcp:read'));
    await issuer.close();
    const server = await startTestHttpServer({ env: { MCP_OAUTH_ISSUER: issuer.issuer } });
    try {
      const response = await post(server.url, request('tools/list'), {
        authorization: `Bearer ${token}`,
      });
      expect(response.status).toBe(503);
      expect(response.text).toMatch(/authorization server could not be reached/);
      // A token that is not even a JWT is refused without asking the issuer.
      const garbage = await post(server.url, request('tools/list'), {
        authorization: 'Bearer x.y.z',
      });
      expect(garbage.status).toBe(401);
      expect(garbage.headers.get('www-authenticate')).toContain('error="invalid_token"');
    } finally {
      await server.close();
    }
  });
});

describe('HTTP transport with MCP_PUBLIC_URL under a proxy prefix', () => {
  it('serves the metadata at the address its challenge names', async () => {
    const server = await startTestHttpServer({
      env: {
        MCP_OAUTH_ISSUER: 'https://auth.example.com',
        MCP_PUBLIC_URL: 'https://example.com/tools/mcp',
      },
    });
    try {
      const denied = await post(server.url, request('tools/list'));
      expect(denied.headers.get('www-authenticate')).toBe(
        'Bearer resource_metadata="https://example.com/.well-known/oauth-protected-resource/tools/mcp"',
      );
      const response = await fetch(
        `${server.origin}/.well-known/oauth-protected-resource/tools/mcp`,
      );
      expect(response.status).toBe(200);
      expect(await response.json()).toMatchObject({ resource: 'https://example.com/tools/mcp' });
    } finally {
      await server.close();
    }
  });
});

describe('Lambda Function URL events with MCP_OAUTH_ISSUER (same core)', () => {
  it('answers the same 401 challenge and metadata for the Function URL domain', async () => {
    const server = await startTestHttpServer();
    try {
      const handle = createMcpHttpHandler({
        registry: server.runtime.registry,
        logger: silentLogger,
        options: {
          ...loadHttpConfig({ MCP_OAUTH_ISSUER: 'https://auth.example.com' }),
          trustHost: true,
        },
      });
      const event = (method: string, rawPath: string, body?: string) =>
        ({
          version: '2.0',
          rawPath,
          rawQueryString: '',
          headers: {
            'content-type': 'application/json',
            accept: 'application/json, text/event-stream',
          },
          requestContext: { domainName: 'abc.lambda-url.us-east-1.on.aws', http: { method } },
          ...(body !== undefined && { body }),
          isBase64Encoded: false,
        }) as unknown as APIGatewayProxyEventV2;
      const denied = await resultFromResponse(
        await handle(
          requestFromEvent(event('POST', '/mcp', JSON.stringify(request('tools/list')))),
        ),
      );
      expect(denied.statusCode).toBe(401);
      expect(denied.headers?.['www-authenticate']).toBe(
        'Bearer resource_metadata="https://abc.lambda-url.us-east-1.on.aws/.well-known/oauth-protected-resource/mcp"',
      );
      const metadata = await resultFromResponse(
        await handle(requestFromEvent(event('GET', '/.well-known/oauth-protected-resource/mcp'))),
      );
      expect(JSON.parse(metadata.body ?? '{}')).toMatchObject({
        resource: 'https://abc.lambda-url.us-east-1.on.aws/mcp',
        authorization_servers: ['https://auth.example.com'],
      });
    } finally {
      await server.close();
    }
  });
});
