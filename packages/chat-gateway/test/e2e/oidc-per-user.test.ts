/**
 * Per-user behaviour with sign-in on: a real OpenID Connect provider (`oidc-provider`) and the
 * local gateway on loopback, two users in their own browsers (alice in staff and admins, bob in
 * staff). Nobody sees, opens, renames or deletes another's conversation, and another user's
 * session id is answered exactly like an unknown one on every path (`conversations`, `resume`,
 * `history`, rename, delete). Uploads and destructive tools are limited to admins.
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
import { signIn, upgradeHeaders, type Jar } from '../support/oidc-browser-jar.js';
import { AUDIENCE, startTestProvider, type TestProvider } from '../support/oidc-test-provider.js';
import type { ServerFrame } from '../../src/protocol/frames.js';
import { ChatClient } from '../support/ws-client.js';

let idp: TestProvider;
let gw: LocalGateway;
let dataDir: string;

beforeAll(async () => {
  idp = await startTestProvider();
  dataDir = mkdtempSync(join(tmpdir(), 'gw-conv-'));
  gw = await startLocalGateway({
    env: {
      CHAT_OIDC_ISSUER: idp.issuer,
      CHAT_OIDC_CLIENT_ID: 'gateway',
      CHAT_OIDC_AUDIENCE: AUDIENCE,
      // The test sends a dozen frames at once; the limit is not what it is about.
      CHAT_FRAMES_PER_SECOND: '100',
      CHAT_UPLOAD_GROUPS: 'admins',
      CHAT_DESTRUCTIVE_TOOL_GROUPS: 'admins, owners',
    },
    dataDir,
    host: '127.0.0.1',
    port: '0',
    logger: createLogger('error', () => undefined),
    webRoot: false,
    inMemory: true,
    cleanupIntervalMs: false,
    warmUp: false,
  });
  idp.setGatewayUrl(gw.url);
}, 60_000);

afterAll(async () => {
  await gw?.close();
  await idp?.close();
  rmSync(dataDir, { recursive: true, force: true });
});

const open = (jar: Jar): Promise<ChatClient> =>
  ChatClient.open(gw.wsUrl, { headers: upgradeHeaders(jar, gw.url) });

/** A new conversation with one question, answered; returns its session id. */
async function converse(jar: Jar, question: string): Promise<string> {
  const client = await open(jar);
  const { sessionId } = await client.next('session');
  client.send({ type: 'message', id: randomUUID(), content: question });
  await client.next('finish', () => true, 45_000);
  await client.close();
  return sessionId;
}

/** The first frame of `type` that arrives after sending `frame` (earlier ones are kept too). */
function reply<T extends ServerFrame['type']>(
  client: ChatClient,
  frame: object,
  type: T,
): Promise<Extract<ServerFrame, { type: T }>> {
  const from = client.frames.length;
  client.send(frame);
  return client.next(type, (f) => client.frames.indexOf(f) >= from);
}

/** The error a frame gets, as `{code, message}`. */
async function errorOf(
  client: ChatClient,
  frame: object,
): Promise<{ code: string; message: string }> {
  const error = await reply(client, frame, 'error');
  return { code: error.code, message: error.message };
}

describe('conversations of two signed-in users', () => {
  it('each sees, opens, renames and deletes only their own', async () => {
    const alice = await signIn(idp, gw.url, 'alice');
    const bob = await signIn(idp, gw.url, 'bob');
    const a1 = await converse(alice, 'Alice asks about the secret launch plan');
    const a2 = await converse(alice, 'Alice second question');
    const b1 = await converse(bob, 'Bob asks about the canteen');

    const a = await open(alice);
    await a.next('session');
    const mine = await reply(a, { type: 'conversations' }, 'conversations');
    expect(mine.items.map((c) => c.sessionId)).toEqual([a2, a1]);
    expect(mine.items[1]).toMatchObject({
      title: 'Alice asks about the secret launch plan',
      messages: 2,
    });
    const found = await reply(
      a,
      { type: 'conversations', query: 'SECRET launch' },
      'conversations',
    );
    expect(found.items.map((c) => c.sessionId)).toEqual([a1]);

    const b = await open(bob);
    const bobSession = await b.next('session');
    const bobs = await reply(b, { type: 'conversations' }, 'conversations');
    expect(bobs.items.map((c) => c.sessionId)).toEqual([b1]);
    const none = await reply(b, { type: 'conversations', query: 'secret' }, 'conversations');
    expect(none.items).toEqual([]);

    // Alice's id and a made-up one get the very same answer on every path.
    const unknown = randomUUID();
    for (const frame of [
      (id: string) => ({ type: 'resume', sessionId: id }),
      (id: string) => ({ type: 'conversation-rename', sessionId: id, title: 'mine now' }),
      (id: string) => ({ type: 'conversation-delete', sessionId: id }),
    ]) {
      const other = await errorOf(b, frame(a1));
      expect(other.code).toBe('SESSION_NOT_FOUND');
      expect(other).toEqual(await errorOf(b, frame(unknown)));
    }
    // A resume token of hers, had it leaked, does not open it either.
    const leaked = await errorOf(b, { type: 'resume', sessionId: a1, resumeToken: 'x'.repeat(43) });
    expect(leaked).toEqual(
      await errorOf(b, { type: 'resume', sessionId: unknown, resumeToken: 'x'.repeat(43) }),
    );
    // Bob's history is still his own conversation's.
    const history = await reply(b, { type: 'history' }, 'history');
    expect(history.messages.map((m) => m.content).join(' ')).not.toContain('Alice');
    await b.close();
    expect(await gw.store.getSession(a1)).toMatchObject({ sessionId: a1 });
    expect(bobSession.sessionId).not.toBe(a1);

    // Alice opens her first conversation in another browser, with no resume token.
    const elsewhere = await signIn(idp, gw.url, 'alice');
    const c = await open(elsewhere);
    await c.next('session');
    c.send({ type: 'resume', sessionId: a1 });
    const resumed = await c.next('session', (f) => f.resumed);
    expect(resumed.sessionId).toBe(a1);
    const hers = await reply(c, { type: 'history' }, 'history');
    expect(hers.messages.at(-1)?.content).toBe('Alice asks about the secret launch plan');

    c.send({ type: 'conversation-rename', sessionId: a1, title: '  Launch   plan ' });
    expect(await c.next('conversation-renamed')).toMatchObject({
      type: 'conversation-renamed',
      sessionId: a1,
      title: 'Launch plan',
    });
    c.send({ type: 'conversation-delete', sessionId: a2 });
    expect(await c.next('conversation-deleted')).toMatchObject({
      type: 'conversation-deleted',
      sessionId: a2,
    });
    const after = await reply(c, { type: 'conversations' }, 'conversations');
    expect(after.items.map((i) => [i.sessionId, i.title])).toEqual([[a1, 'Launch plan']]);
    expect(await gw.store.getSession(a2)).toBeUndefined();
    expect(await gw.store.listMessages(a2, { limit: 5 })).toEqual([]);
    expect((await errorOf(c, { type: 'resume', sessionId: a2 })).code).toBe('SESSION_NOT_FOUND');
    await c.close();
    await a.close();
  }, 120_000);
});

describe('CHAT_UPLOAD_GROUPS and CHAT_DESTRUCTIVE_TOOL_GROUPS', () => {
  const upload = (headers: Record<string, string>) =>
    fetch(`${gw.url}/upload?name=${encodeURIComponent('groups/rota.md')}`, {
      method: 'POST',
      body: '# Rota\n\nThe rota changes on Fridays.',
      headers,
    });

  it('refuses an upload without sign-in, and from a user outside the groups', async () => {
    const nobody = await upload({});
    expect(nobody.status).toBe(401);
    expect(((await nobody.json()) as { error: string }).error).toMatch(/Sign in first/);

    const bob = await signIn(idp, gw.url, 'bob');
    const refused = await upload({ cookie: bob.header(gw.url) });
    expect(refused.status).toBe(403);
    expect(((await refused.json()) as { error: string }).error).toMatch(
      /limited to members of the groups admins \(CHAT_UPLOAD_GROUPS\)/,
    );
    expect(await gw.tools.readDocument('groups/rota.md')).toBeUndefined();

    const alice = await signIn(idp, gw.url, 'alice');
    const ok = await upload({ cookie: alice.header(gw.url) });
    expect(ok.status).toBe(200);
    expect(await ok.json()).toMatchObject({ source: 'groups/rota.md', outcome: 'added' });
  }, 60_000);

  it('refuses destructive and document-changing tools to users outside the groups, before asking', async () => {
    const create = '/call create_record {"table":"notes","data":{"id":"grp-1","title":"t"}}';
    const remove = '/call delete_record {"table":"notes","record_id":"grp-1"}';
    const bob = await open(await signIn(idp, gw.url, 'bob'));
    await bob.next('session');
    const created = await reply(
      bob,
      { type: 'message', id: randomUUID(), content: create },
      'finish',
    );
    expect(created.response.toolsUsed).toContain('create_record');
    const denied = await reply(
      bob,
      { type: 'message', id: randomUUID(), content: remove },
      'tool-result',
    );
    expect(denied.isError).toBe(true);
    expect(denied.text).toMatch(/^FORBIDDEN: .*admins, owners \(CHAT_DESTRUCTIVE_TOOL_GROUPS\)/);
    const docs = await reply(
      bob,
      {
        type: 'message',
        id: randomUUID(),
        content: '/call delete_document {"source":"groups/rota.md"}',
      },
      'tool-result',
    );
    expect(docs.text).toMatch(/^FORBIDDEN: .*\(CHAT_UPLOAD_GROUPS\)/);
    expect(bob.of('confirm-request')).toEqual([]);
    expect(
      (await gw.tools.callTool('read_record', { table: 'notes', record_id: 'grp-1' })).isError,
    ).toBe(false);
    await bob.close();

    const alice = await open(await signIn(idp, gw.url, 'alice'));
    await alice.next('session');
    const ask = await reply(
      alice,
      { type: 'message', id: randomUUID(), content: remove },
      'confirm-request',
    );
    alice.send({ type: 'confirm', toolCallId: ask.toolCallId, approve: true });
    await alice.next('finish', (f) => f.response.toolsUsed.includes('delete_record'));
    const gone = await gw.tools.callTool('read_record', { table: 'notes', record_id: 'grp-1' });
    expect(gone.text).toMatch(/^NOT_FOUND/);
    await alice.close();
  }, 90_000);
});
