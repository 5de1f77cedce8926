/**
 * Two signed-in users (bearer JWTs of a real OpenID provider on loopback) on the real local
 * gateway, chatting `/call` against an owner-scoped table of the in-process MCP server: each
 * sees and changes only their own rows, and the server records who wrote what.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { silentLogger } from 'chatbot-mcp-server/core';
import { importJWK, SignJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  startLocalGateway,
  type LocalGateway,
} from '../../src/transports/local/start-local-gateway.js';
import { AUDIENCE, startTestProvider, type TestProvider } from '../support/oidc-test-provider.js';
import { ChatClient } from '../support/ws-client.js';

let idp: TestProvider;
let gw: LocalGateway;
let dataDir: string;

beforeAll(async () => {
  idp = await startTestProvider();
  dataDir = mkdtempSync(join(tmpdir(), 'gw-owner-'));
  const tables = join(dataDir, 'tables.json');
  writeFileSync(
    tables,
    JSON.stringify({
      tables: {
        notes: { name: 'owner-e2e-notes', partitionKey: 'id' },
        todos: { name: 'owner-e2e-todos', partitionKey: 'id', scope: 'owner' },
      },
    }),
  );
  gw = await startLocalGateway({
    env: {
      CHAT_OIDC_ISSUER: idp.issuer,
      CHAT_OIDC_CLIENT_ID: 'gateway',
      CHAT_OIDC_AUDIENCE: AUDIENCE,
      CHATBOT_CONFIG: tables,
    },
    dataDir,
    host: '127.0.0.1',
    port: '0',
    logger: silentLogger,
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

/** An access token of the provider's published key for `subject`. */
async function tokenFor(subject: string): Promise<string> {
  const key = idp.signingKey();
  return new SignJWT({ sub: subject })
    .setProtectedHeader({ alg: 'RS256', kid: key.kid!, typ: 'at+jwt' })
    .setIssuer(idp.issuer)
    .setAudience(AUDIENCE)
    .setIssuedAt()
    .setExpirationTime(Math.floor(Date.now() / 1000) + 300)
    .sign(await importJWK(key, 'RS256'));
}

async function signedIn(subject: string): Promise<ChatClient> {
  const client = await ChatClient.open(gw.wsUrl, {
    headers: { authorization: `Bearer ${await tokenFor(subject)}` },
  });
  await client.next('session');
  return client;
}

let n = 0;
/** `/call tool args` in the chat; the tool-result frame of that turn. */
async function call(
  c: ChatClient,
  tool: string,
  args: Record<string, unknown>,
): Promise<{ isError: boolean; text: string; output: unknown }> {
  const id = `m${++n}`;
  c.send({ type: 'message', id, content: `/call ${tool} ${JSON.stringify(args)}` });
  const start = await c.next('start', (f) => f.replyTo === id);
  if (tool === 'delete_record' || tool === 'update_record') {
    const ask = await c.next('confirm-request', (f) => f.messageId === start.messageId);
    c.send({ type: 'confirm', toolCallId: ask.toolCallId, approve: true });
  }
  await c.next('finish', (f) => f.messageId === start.messageId);
  return c.next('tool-result', (f) => f.messageId === start.messageId);
}

describe('owner-scoped records through the signed-in chat', () => {
  it('alice and bob each see, change and delete only their own rows', async () => {
    const alice = await signedIn('alice');
    const bob = await signedIn('bob');
    try {
      const made = await call(alice, 'create_record', {
        table: 'todos',
        data: { id: 't-alice', task: 'alice private' },
      });
      expect(made.output).toMatchObject({ record: { created_by: `${idp.issuer}#alice` } });
      await call(bob, 'create_record', {
        table: 'todos',
        data: { id: 't-bob', task: 'bob private' },
      });

      expect(
        (await call(bob, 'read_record', { table: 'todos', record_id: 't-alice' })).text,
      ).toMatch(/^NOT_FOUND/);
      const bobUpdate = await call(bob, 'update_record', {
        table: 'todos',
        record_id: 't-alice',
        data: { task: 'bob was here' },
      });
      expect(bobUpdate.text).toMatch(/^NOT_FOUND/);
      expect(
        (await call(bob, 'delete_record', { table: 'todos', record_id: 't-alice' })).text,
      ).toMatch(/^NOT_FOUND/);
      const bobList = JSON.stringify((await call(bob, 'list_records', { table: 'todos' })).output);
      expect(bobList).toContain('bob private');
      expect(bobList).not.toContain('alice private');

      const aliceRead = await call(alice, 'read_record', { table: 'todos', record_id: 't-alice' });
      expect(aliceRead.output).toMatchObject({ record: { task: 'alice private', version: 1 } });

      // A shared table records who wrote and who changed.
      const note = await call(alice, 'create_record', { table: 'notes', data: { id: 'shared' } });
      expect(note.output).toMatchObject({ record: { created_by: `${idp.issuer}#alice` } });
      const edited = await call(bob, 'update_record', {
        table: 'notes',
        record_id: 'shared',
        data: { text: 'edited' },
      });
      expect(edited.output).toMatchObject({
        record: { created_by: `${idp.issuer}#alice`, updated_by: `${idp.issuer}#bob` },
      });
    } finally {
      await alice.close();
      await bob.close();
    }
  }, 60_000);
});
