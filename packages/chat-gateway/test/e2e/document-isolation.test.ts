/**
 * Documents by person and group through every path of the local gateway, with sign-in against a
 * real OpenID Connect provider (`oidc-provider`) on loopback: alice (groups staff, admins) and bob
 * (staff, sales). The operator ingests one document for alice only, one for admins, one for
 * sales and one for everyone, each with its own word. Chat answers (the offline engine, which
 * answers from search), `/call search_documents`, `/call list_documents`, the documents panel,
 * the viewer and the upload route never show a person a document outside their access; a
 * forbidden source is answered exactly like a missing one. The signed-in suite runs with the MCP
 * server in process, as a stdio child and over HTTP (MCP_TRANSPORT), so the caller travels on
 * each. A gateway without sign-in sees only the document for everyone.
 */
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createLogger } from 'chatbot-mcp-server/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  startLocalGateway,
  type LocalGateway,
} from '../../src/transports/local/start-local-gateway.js';
import type { ServerFrame } from '../../src/protocol/frames.js';
import { signIn, upgradeHeaders, type Jar } from '../support/oidc-browser-jar.js';
import { AUDIENCE, startTestProvider, type TestProvider } from '../support/oidc-test-provider.js';
import { ChatClient } from '../support/ws-client.js';
// The MCP server's helper that runs its CLI over HTTP (test code, not a dependency).
import { startHttpCli, type HttpCliProcess } from '../../../mcp-server/test/support/http-cli.js';

/** Each document's own word; every document also says "roadmap", so one search finds them all. */
const WORDS = {
  alice: 'amethyst',
  admins: 'basalt',
  sales: 'coralline',
  everyone: 'dunegrass',
} as const;
type Audience = keyof typeof WORDS;
const SOURCES: Record<Audience, string> = {
  alice: 'private/alice-plan.md',
  admins: 'groups/admins-plan.md',
  sales: 'groups/sales-plan.md',
  everyone: 'public/plan.md',
};
const ACCESS: Record<Audience, Record<string, string[]> | undefined> = {
  alice: { users: ['alice'] },
  admins: { groups: ['admins'] },
  sales: { groups: ['sales'] },
  everyone: undefined,
};
const SEES: Record<'alice' | 'bob' | 'anonymous', Audience[]> = {
  alice: ['alice', 'admins', 'everyone'],
  bob: ['sales', 'everyone'],
  anonymous: ['everyone'],
};
const ALL = Object.keys(WORDS) as Audience[];

function logger() {
  return createLogger('error', () => undefined);
}

async function ingestAll(gw: LocalGateway): Promise<void> {
  for (const who of ALL) {
    const result = await gw.tools.callTool('ingest_document', {
      source: SOURCES[who],
      title: `Roadmap ${WORDS[who]}`,
      content: `# Roadmap ${WORDS[who]}\n\nThe roadmap for ${who}: the ${WORDS[who]} milestone ships in spring. The ${WORDS[who]} roadmap is confidential to ${who}.`,
      ...(ACCESS[who] && { access: ACCESS[who] }),
    });
    expect(result.isError, result.text).toBe(false);
  }
}

/** Asserts `text` holds the words of `allowed` and of no other document. */
function expectOnly(text: string, allowed: Audience[], what: string): void {
  const lower = text.toLowerCase();
  for (const who of ALL) {
    const has = lower.includes(WORDS[who]) || text.includes(SOURCES[who]);
    if (allowed.includes(who)) expect(has, `${what}: should show ${who}'s document`).toBe(true);
    else expect(has, `${what}: leaks ${who}'s document`).toBe(false);
  }
}

/** The first frame of `type` after sending `frame`; earlier frames are kept in `client.frames`. */
function reply<T extends ServerFrame['type']>(
  client: ChatClient,
  frame: object,
  type: T,
): Promise<Extract<ServerFrame, { type: T }>> {
  const from = client.frames.length;
  client.send(frame);
  return client.next(type, (f) => client.frames.indexOf(f) >= from);
}

/** Every frame of one turn (a chat message or a /call), serialised, up to its `finish`. */
async function turn(client: ChatClient, content: string): Promise<string> {
  const from = client.frames.length;
  client.send({ type: 'message', id: randomUUID(), content });
  await client.next('finish', (f) => client.frames.indexOf(f) >= from, 60_000);
  return JSON.stringify(client.frames.slice(from));
}

/** The answer to a `document` frame for `source`, with the source itself blanked out. */
async function viewer(client: ChatClient, source: string): Promise<unknown> {
  const from = client.frames.length;
  client.send({ type: 'document', source });
  const after = (f: ServerFrame): boolean => client.frames.indexOf(f) >= from;
  const frame = await Promise.race([client.next('document', after), client.next('error', after)]);
  return JSON.parse(JSON.stringify(frame).split(source).join('<source>'));
}

/** Everything a person sees of the documents on one connection, checked against SEES. */
async function checkEveryPath(client: ChatClient, who: keyof typeof SEES): Promise<void> {
  const allowed = SEES[who];
  expectOnly(await turn(client, 'What is on the roadmap?'), allowed, `${who}: chat answer`);
  expectOnly(
    await turn(client, '/call search_documents {"query":"roadmap milestone","limit":10}'),
    allowed,
    `${who}: /call search_documents`,
  );
  expectOnly(
    await turn(client, '/call search_documents {"query":"roadmap","mode":"keyword","limit":10}'),
    allowed,
    `${who}: /call search_documents keyword`,
  );
  expectOnly(
    await turn(client, '/call list_documents {}'),
    allowed,
    `${who}: /call list_documents`,
  );
  const panel = await reply(client, { type: 'documents' }, 'documents');
  expect(panel.documents.map((d) => d.source).sort()).toEqual(
    allowed.map((a) => SOURCES[a]).sort(),
  );
  const missing = await viewer(client, 'private/never-ingested.md');
  expect(missing).toMatchObject({ type: 'error', code: 'NOT_FOUND' });
  for (const doc of ALL) {
    const seen = await viewer(client, SOURCES[doc]);
    if (allowed.includes(doc))
      expect(seen, `${who} opens ${doc}`).toMatchObject({ type: 'document' });
    // Forbidden: the very same answer as a source that was never ingested.
    else
      expect(unnumbered(seen as object), `${who} opens ${doc}`).toEqual(
        unnumbered(missing as object),
      );
  }
}

const MCP_CLI = new URL('../../../mcp-server/dist/cli.js', import.meta.url).pathname;
const MCP_HTTP_TOKEN = 'gateway-only-secret-for-this-test';

describe.each(['in-process', 'stdio', 'http'] as const)(
  'documents by person and group, signed in, MCP_TRANSPORT=%s',
  (transport) => {
    let mcpHttp: HttpCliProcess | undefined;
    /** The gateway's MCP settings: the server in process, a stdio child, or over HTTP. */
    async function transportEnv(
      kind: 'in-process' | 'stdio' | 'http',
      mcpDir: string,
    ): Promise<Record<string, string>> {
      if (kind === 'stdio')
        return {
          MCP_TRANSPORT: 'stdio',
          MCP_SERVER_COMMAND: process.execPath,
          MCP_SERVER_ARGS: `${MCP_CLI} --data-dir ${mcpDir}`,
        };
      if (kind === 'http') {
        mcpHttp = await startHttpCli(['--data-dir', mcpDir], { MCP_AUTH_TOKEN: MCP_HTTP_TOKEN });
        return {
          MCP_TRANSPORT: 'http',
          MCP_SERVER_URL: mcpHttp.url,
          MCP_AUTH_TOKEN: MCP_HTTP_TOKEN,
        };
      }
      return {};
    }

    let idp: TestProvider;
    let gw: LocalGateway;
    let dataDir: string;

    beforeAll(async () => {
      idp = await startTestProvider();
      dataDir = mkdtempSync(join(tmpdir(), 'gw-doc-iso-'));
      gw = await startLocalGateway({
        env: {
          ...(await transportEnv(transport, join(dataDir, 'mcp'))),
          CHAT_OIDC_ISSUER: idp.issuer,
          CHAT_OIDC_CLIENT_ID: 'gateway',
          CHAT_OIDC_AUDIENCE: AUDIENCE,
          CHAT_FRAMES_PER_SECOND: '100',
        },
        dataDir,
        host: '127.0.0.1',
        port: '0',
        logger: logger(),
        webRoot: false,
        inMemory: true,
        cleanupIntervalMs: false,
        warmUp: false,
      });
      idp.setGatewayUrl(gw.url);
      await ingestAll(gw);
    }, 90_000);

    afterAll(async () => {
      await gw?.close();
      await mcpHttp?.kill();
      await idp?.close();
      if (dataDir) rmSync(dataDir, { recursive: true, force: true });
    });

    const open = async (jar: Jar): Promise<ChatClient> => {
      const client = await ChatClient.open(gw.wsUrl, { headers: upgradeHeaders(jar, gw.url) });
      await client.next('session');
      return client;
    };

    for (const who of ['alice', 'bob'] as const) {
      it(`${who} sees only their own, their groups' and everyone's documents on every path`, async () => {
        const client = await open(await signIn(idp, gw.url, who));
        try {
          await checkEveryPath(client, who);
        } finally {
          await client.close();
        }
      }, 180_000);
    }

    it("another user's session shows none of its answers: resume and history as if unknown", async () => {
      const alice = await open(await signIn(idp, gw.url, 'alice'));
      const { sessionId } = alice.of('session')[0]!;
      expectOnly(await turn(alice, 'What is on the roadmap?'), SEES.alice, 'alice: chat answer');
      await alice.close();

      const bob = await open(await signIn(idp, gw.url, 'bob'));
      try {
        const theirs = await reply(bob, { type: 'resume', sessionId }, 'error');
        const unknown = await reply(bob, { type: 'resume', sessionId: randomUUID() }, 'error');
        expect(theirs.code).toBe('SESSION_NOT_FOUND');
        expect(unnumbered(theirs)).toEqual(unnumbered(unknown));
        const listed = await reply(bob, { type: 'conversations' }, 'conversations');
        expect(listed.items.map((c) => c.sessionId)).not.toContain(sessionId);
        const history = await reply(bob, { type: 'history' }, 'history');
        expectOnly(JSON.stringify(history), [], 'bob: history after a refused resume');
      } finally {
        await bob.close();
      }
    }, 180_000);

    it('an upload over a document the uploader cannot read is refused, without its content', async () => {
      const bob = await signIn(idp, gw.url, 'bob');
      const upload = (name: string, body: string) =>
        fetch(`${gw.url}/upload?name=${encodeURIComponent(name)}`, {
          method: 'POST',
          body,
          headers: { cookie: bob.header(gw.url), origin: gw.url },
        });
      const refused = await upload(SOURCES.alice, '# Mine now\n\nBob replaces the plan.');
      expect(refused.status).toBe(409);
      const error = ((await refused.json()) as { error: string }).error;
      expect(error).toMatch(/already taken by a document you cannot replace/);
      expect(error).toMatch(/another file name/);
      // Only the name the uploader chose: not a word of the document, its title or its access.
      expect(error.split(SOURCES.alice).join('')).not.toMatch(
        /amethyst|milestone|confidential|alice/i,
      );
      // Alice's document is unchanged and still hers alone.
      const kept = await gw.tools.readDocument(SOURCES.alice);
      expect(kept?.text).toContain(WORDS.alice);
      expect(kept?.text).not.toContain('Bob replaces');

      // His own sales document he may replace; a new one is added (open to everyone).
      const replaced = await upload(SOURCES.sales, `# Roadmap ${WORDS.sales}\n\nRevised by Bob.`);
      expect(await replaced.json()).toMatchObject({ source: SOURCES.sales, outcome: 'replaced' });
      const added = await upload('bob/notes.md', '# Notes\n\nBob notes.');
      expect(await added.json()).toMatchObject({ source: 'bob/notes.md', outcome: 'added' });
    }, 90_000);

    it('delete_document on a document the user cannot read answers like a missing one, deleting nothing', async () => {
      const bob = await open(await signIn(idp, gw.url, 'bob'));
      try {
        const outcome = async (source: string): Promise<string> => {
          const from = bob.frames.length;
          const after = (f: ServerFrame): boolean => bob.frames.indexOf(f) >= from;
          bob.send({
            type: 'message',
            id: randomUUID(),
            content: `/call delete_document ${JSON.stringify({ source })}`,
          });
          const ask = await bob.next('confirm-request', after, 30_000);
          bob.send({ type: 'confirm', toolCallId: ask.toolCallId, approve: true });
          const result = await bob.next('tool-result', after, 30_000);
          expect(result.isError).toBe(true);
          return result.text.split(source).join('<source>');
        };
        const theirs = await outcome(SOURCES.alice);
        expect(theirs).toMatch(/^NOT_FOUND/);
        expect(theirs).toBe(await outcome('private/never-ingested.md'));
        expect((await gw.tools.readDocument(SOURCES.alice))?.text).toContain(WORDS.alice);
      } finally {
        await bob.close();
      }
    }, 90_000);
  },
);

describe('documents by person and group, without sign-in', () => {
  let gw: LocalGateway;
  let dataDir: string;

  beforeAll(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'gw-doc-anon-'));
    gw = await startLocalGateway({
      env: { CHAT_FRAMES_PER_SECOND: '100' },
      dataDir,
      host: '127.0.0.1',
      port: '0',
      logger: logger(),
      webRoot: false,
      inMemory: true,
      cleanupIntervalMs: false,
      warmUp: false,
    });
    await ingestAll(gw);
  }, 90_000);

  afterAll(async () => {
    await gw?.close();
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  });

  it('an anonymous user sees only the documents for everyone', async () => {
    const client = await ChatClient.open(gw.wsUrl, { headers: { origin: gw.url } });
    try {
      await client.next('session');
      await checkEveryPath(client, 'anonymous');
    } finally {
      await client.close();
    }
  }, 180_000);
});

/** A frame without its `seq` (its place in the session), to compare two answers' content. */
function unnumbered<T extends object>(frame: T): Omit<T, 'seq'> {
  const rest: Partial<T & { seq: number }> = { ...frame };
  delete rest.seq;
  return rest as Omit<T, 'seq'>;
}
