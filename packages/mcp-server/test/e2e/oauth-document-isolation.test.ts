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

/**
 * Documents by person and group on the MCP HTTP endpoint, each user with their own OAuth access
 * token from oidc-provider (alice in eng, bob in sales, the groups in the token's `groups`
 * claim). The operator ingests one document for alice only, one for eng, one for sales, one for
 * everyone, each with its own word; `search_documents` (every mode), `list_documents`,
 * `resources/list`, `resources/read doc://…` and `completion/complete` for `source` show each
 * user only theirs, and a forbidden `doc://` is answered exactly like a missing one.
 */
const WORDS = { alice: 'amethyst', eng: 'basalt', sales: 'coralline', everyone: 'dunegrass' };
type Audience = keyof typeof WORDS;
const ALL = Object.keys(WORDS) as Audience[];
const SOURCES: Record<Audience, string> = {
  alice: 'private/alice-plan.md',
  eng: 'groups/eng-plan.md',
  sales: 'groups/sales-plan.md',
  everyone: 'public/plan.md',
};
const ACCESS: Record<Audience, { users?: string[]; groups?: string[] } | undefined> = {
  alice: { users: ['alice'] },
  eng: { groups: ['eng'] },
  sales: { groups: ['sales'] },
  everyone: undefined,
};
const SEES: Record<'alice' | 'bob', Audience[]> = {
  alice: ['alice', 'eng', 'everyone'],
  bob: ['sales', 'everyone'],
};
const uri = (source: string) => `doc://${encodeURIComponent(source)}`;

function expectOnly(text: string, allowed: Audience[], what: string): void {
  const lower = text.toLowerCase();
  for (const doc of ALL) {
    const has =
      lower.includes(WORDS[doc]) || text.includes(SOURCES[doc]) || text.includes(uri(SOURCES[doc]));
    expect(has, `${what}: ${allowed.includes(doc) ? 'misses' : 'leaks'} ${doc}'s document`).toBe(
      allowed.includes(doc),
    );
  }
}

const errorOf = async (
  run: () => Promise<unknown>,
): Promise<{ code?: number; message: string }> => {
  try {
    await run();
  } catch (error) {
    const { code, message } = error as { code?: number; message: string };
    return { code, message };
  }
  throw new Error('expected a refusal');
};

describe('documents by person and group over MCP HTTP with OAuth', () => {
  let as: TestAuthorizationServer;
  let mcp: TestHttpServer;

  beforeAll(async () => {
    as = await startTestAuthorizationServer();
    as.groups = { alice: ['eng'], bob: ['sales'] };
    mcp = await startTestHttpServer({ env: { MCP_OAUTH_ISSUER: as.issuer } });
    as.resource = mcp.url;
    const documents = await mcp.runtime.documents.get();
    for (const doc of ALL) {
      await documents.ingest({
        source: SOURCES[doc],
        title: `Roadmap ${WORDS[doc]}`,
        contentType: 'text/markdown',
        content: `# Roadmap ${WORDS[doc]}\n\nThe roadmap for ${doc}: the ${WORDS[doc]} milestone ships in spring.`,
        ...(ACCESS[doc] && { access: ACCESS[doc] }),
      });
    }
  }, 90_000);
  afterAll(async () => {
    await mcp?.close();
    await as?.close();
  });

  /** A client signed in as `user` through the whole OAuth flow (PKCE, dynamic registration). */
  async function connectAs(user: string): Promise<Client> {
    as.account = user;
    const provider = new HeadlessOAuthProvider();
    const first = new StreamableHTTPClientTransport(new URL(mcp.url), { authProvider: provider });
    await expect(new Client({ name: user, version: '0.0.0' }).connect(first)).rejects.toThrow(
      UnauthorizedError,
    );
    await first.finishAuth(provider.code!);
    expect(decodeJwt(provider.savedTokens!.access_token)).toMatchObject({
      sub: user,
      groups: as.groups[user],
    });
    const client = new Client({ name: user, version: '0.0.0' });
    await client.connect(
      new StreamableHTTPClientTransport(new URL(mcp.url), { authProvider: provider }),
    );
    return client;
  }

  for (const user of ['alice', 'bob'] as const) {
    it(`${user} sees only their own, their group's and everyone's documents`, async () => {
      const allowed = SEES[user];
      const client = await connectAs(user);
      try {
        for (const mode of ['hybrid', 'vector', 'keyword']) {
          const found = await client.callTool({
            name: 'search_documents',
            arguments: { query: 'roadmap milestone', mode, limit: 10 },
          });
          expect(found.isError, JSON.stringify(found)).not.toBe(true);
          expectOnly(JSON.stringify(found), allowed, `${user}: search_documents ${mode}`);
        }
        const listed = await client.callTool({ name: 'list_documents', arguments: { limit: 100 } });
        expectOnly(JSON.stringify(listed), allowed, `${user}: list_documents`);

        const { resources } = await client.listResources();
        expect(
          resources
            .filter((r) => r.uri.startsWith('doc://'))
            .map((r) => r.uri)
            .sort(),
        ).toEqual(allowed.map((a) => uri(SOURCES[a])).sort());

        const { completion } = await client.complete({
          ref: { type: 'ref/resource', uri: 'doc://{source}' },
          argument: { name: 'source', value: '' },
        });
        expect([...completion.values].sort()).toEqual(allowed.map((a) => SOURCES[a]).sort());
        const byPrefix = await client.complete({
          ref: { type: 'ref/resource', uri: 'doc://{source}' },
          argument: { name: 'source', value: 'groups/' },
        });
        expectOnly(
          JSON.stringify(byPrefix),
          allowed.filter((a) => a === 'eng' || a === 'sales'),
          `${user}: completion`,
        );

        const missing = await errorOf(() => client.readResource({ uri: uri('private/ghost.md') }));
        expect(missing.code).toBe(-32002);
        for (const doc of ALL) {
          if (allowed.includes(doc)) {
            const read = await client.readResource({ uri: uri(SOURCES[doc]) });
            expect(JSON.stringify(read)).toContain(WORDS[doc]);
          } else {
            const refused = await errorOf(() => client.readResource({ uri: uri(SOURCES[doc]) }));
            const blank = (e: typeof refused, source: string) => ({
              ...e,
              message: e.message.split(uri(source)).join('X').split(source).join('X'),
            });
            expect(blank(refused, SOURCES[doc])).toEqual(blank(missing, 'private/ghost.md'));
          }
        }
      } finally {
        await client.close();
      }
    }, 120_000);
  }

  it("an identity claimed in _meta does not widen the token's access", async () => {
    const client = await connectAs('bob');
    try {
      const forged = await client.callTool({
        name: 'search_documents',
        arguments: { query: 'roadmap milestone', limit: 10 },
        _meta: {
          'chatbot-mcp/caller': { issuer: as.issuer, subject: 'alice', groups: ['eng'] },
        },
      });
      expectOnly(JSON.stringify(forged), SEES.bob, 'bob claiming to be alice');
    } finally {
      await client.close();
    }
  }, 120_000);
});
