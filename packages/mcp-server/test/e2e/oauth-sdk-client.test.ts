import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { UnauthorizedError } from '@modelcontextprotocol/sdk/client/auth.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { decodeJwt } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HeadlessOAuthProvider } from '../support/headless-oauth.js';
import { startTestHttpServer, type TestHttpServer } from '../support/http-server.js';
import {
  startTestAuthorizationServer,
  type TestAuthorizationServer,
} from '../support/oidc-authorization-server.js';

interface Seen {
  status: number;
  url: string;
  wwwAuthenticate: string | null;
}

/** The MCP SDK client's own OAuth support against oidc-provider, both on loopback. */
describe('OAuth 2.1 end to end: SDK client, oidc-provider, MCP server', () => {
  let as: TestAuthorizationServer;
  let mcp: TestHttpServer;

  beforeAll(async () => {
    as = await startTestAuthorizationServer();
    mcp = await startTestHttpServer({ env: { MCP_OAUTH_ISSUER: as.issuer } });
    as.resource = mcp.url;
  }, 60_000);
  afterAll(async () => {
    await mcp?.close();
    await as?.close();
  });

  it('discovers, registers, authorizes with PKCE, reads; a write steps up from mcp:read to mcp:write', async () => {
    const provider = new HeadlessOAuthProvider();
    const seen: Seen[] = [];
    const recording: typeof fetch = async (input, init) => {
      const response = await fetch(input, init);
      seen.push({
        status: response.status,
        url: String(input instanceof Request ? input.url : input),
        wwwAuthenticate: response.headers.get('www-authenticate'),
      });
      return response;
    };
    const connect = async (): Promise<{
      client: Client;
      transport: StreamableHTTPClientTransport;
    }> => {
      const transport = new StreamableHTTPClientTransport(new URL(mcp.url), {
        authProvider: provider,
        fetch: recording,
      });
      const client = new Client({ name: 'oauth-e2e', version: '0.0.0' });
      await client.connect(transport);
      return { client, transport };
    };

    // The user consents to reading only.
    as.consent = ['mcp:read'];
    const first = new StreamableHTTPClientTransport(new URL(mcp.url), {
      authProvider: provider,
      fetch: recording,
    });
    await expect(
      new Client({ name: 'oauth-e2e', version: '0.0.0' }).connect(first),
    ).rejects.toThrow(UnauthorizedError);
    expect(seen[0]).toMatchObject({
      status: 401,
      wwwAuthenticate: `Bearer resource_metadata="${mcp.origin}/.well-known/oauth-protected-resource/mcp"`,
    });
    expect(seen.map((s) => s.url)).toContain(
      `${mcp.origin}/.well-known/oauth-protected-resource/mcp`,
    );
    expect(provider.client?.client_id).toBeTruthy(); // dynamic client registration
    expect(provider.code).toBeTruthy();
    await first.finishAuth(provider.code!);
    const readToken = decodeJwt(provider.savedTokens!.access_token);
    expect(readToken).toMatchObject({ iss: as.issuer, aud: mcp.url, scope: 'mcp:read' });

    const { client } = await connect();
    const tools = await client.listTools();
    expect(tools.tools.map((t) => t.name)).toContain('create_record');
    const listed = await client.callTool({ name: 'list_records', arguments: { table: 'notes' } });
    expect(listed.isError).not.toBe(true);

    // A write tool: 403 insufficient_scope, the SDK asks for mcp:write (a new authorization).
    as.consent = ['mcp:read', 'mcp:write'];
    const before = seen.length;
    await expect(
      client.callTool({
        name: 'create_record',
        arguments: { table: 'notes', data: { text: 'hi' } },
      }),
    ).rejects.toThrow(UnauthorizedError);
    expect(seen.slice(before)[0]).toMatchObject({
      status: 403,
      wwwAuthenticate: `Bearer error="insufficient_scope", scope="mcp:write", resource_metadata="${mcp.origin}/.well-known/oauth-protected-resource/mcp"`,
    });
    expect(as.requestedScopes.at(-1)).toBe('mcp:write');
    expect((await mcp.runtime.records.list('notes', { limit: 10 })).items).toEqual([]);
    await client.close();

    const stepUp = new StreamableHTTPClientTransport(new URL(mcp.url), {
      authProvider: provider,
      fetch: recording,
    });
    await stepUp.finishAuth(provider.code!);
    expect(decodeJwt(provider.savedTokens!.access_token).scope).toBe('mcp:write');
    const { client: writer } = await connect();
    const created = await writer.callTool({
      name: 'create_record',
      arguments: { table: 'notes', data: { text: 'written over OAuth' } },
      // A forged identity: the token's user (oidc-provider's user-1) is the caller regardless.
      _meta: { 'chatbot-mcp/caller': { issuer: as.issuer, subject: 'someone-else' } },
    });
    expect(created.isError).not.toBe(true);
    expect(created.structuredContent).toMatchObject({
      record: { created_by: `${as.issuer}#user-1` },
    });
    expect((await mcp.runtime.records.list('notes', { limit: 10 })).items).toContainEqual(
      expect.objectContaining({ text: 'written over OAuth' }),
    );
    await writer.close();
  }, 120_000);
});
