/**
 * The Lambda `$default` route with the conversation frames: the caller is the signed-in user the
 * `$connect` authorizer's context names (API Gateway passes it with every message; no store read
 * decides it), an anonymous caller is refused (on AWS several people share one token), and
 * another user's conversation is answered like an unknown one. Collaborators are in-memory
 * stand-ins; the store is the in-memory session store, its session reads counted.
 */
import { silentLogger } from 'chatbot-mcp-server/core';
import { describe, expect, it } from 'vitest';
import type { WebSocketConnections } from '../../src/adapters/aws/apigw-connections.js';
import type { ConnectionBindings } from '../../src/adapters/records/aws-connection-bindings.js';
import { noFrameLog } from '../../src/ports/frame-log.js';
import { MemoryFrameSequence } from '../../src/ports/frame-sequence.js';
import type { Identity } from '../../src/ports/session-store.js';
import type { ServerFrame } from '../../src/protocol/frames.js';
import type { WorkerEvent } from '../../src/transports/lambda/worker-events.js';
import { createWsRoutes, type WsRouteDeps } from '../../src/transports/lambda/ws-routes.js';
import { MemorySessionStore } from '../support/memory-session-store.js';

const alice: Identity = { issuer: 'https://cognito.example', subject: 'alice' };
const bob: Identity = { issuer: 'https://cognito.example', subject: 'bob' };

async function routes(identity?: Identity) {
  const posted: ServerFrame[] = [];
  const invoked: WorkerEvent[] = [];
  const store = new MemorySessionStore();
  const sessionReads = { count: 0 };
  const getSession = store.getSession.bind(store);
  store.getSession = (sessionId) => {
    sessionReads.count += 1;
    return getSession(sessionId);
  };
  const session = async (sessionId: string, who?: Identity, question?: string) => {
    const now = new Date().toISOString();
    await store.createSession({
      sessionId,
      createdAt: now,
      lastActivity: now,
      isActive: true,
      ...(who && { clientInfo: { identity: who } }),
      ttl: Math.floor(Date.now() / 1000) + 3600,
      resumeTokenHash: 'x',
    });
    if (question)
      await store.appendMessage({
        sessionId,
        messageId: `${sessionId}-m1`,
        timestamp: now,
        messageType: 'user',
        content: question,
        ttl: 0,
      });
  };
  await session('current', identity);
  const deps = {
    store,
    bindings: {
      get: () => Promise.resolve({ sessionId: 'current' }),
    } as unknown as ConnectionBindings,
    connections: {
      post: (_id: string, text: string) => {
        posted.push(JSON.parse(text) as ServerFrame);
        return Promise.resolve();
      },
    } as unknown as WebSocketConnections,
    logger: silentLogger,
    modelId: null,
    sequence: new MemoryFrameSequence(),
    frameLog: noFrameLog,
    sessions: { touch: () => Promise.resolve() },
    queue: { enqueue: () => Promise.resolve(1) },
    engine: {
      invoke: (event: WorkerEvent) => {
        invoked.push(event);
        return Promise.resolve();
      },
    },
  } as unknown as WsRouteDeps;
  // What API Gateway adds to every message: the $connect authorizer's context.
  const authorizer = identity && {
    principalId: 'p',
    issuer: identity.issuer,
    sub: identity.subject,
  };
  const receive = async (frame: unknown): Promise<ServerFrame | undefined> => {
    const from = posted.length;
    await createWsRoutes(deps).receive({
      requestContext: {
        routeKey: '$default',
        connectionId: 'c1',
        ...(authorizer && { authorizer }),
      },
      body: JSON.stringify(frame),
    });
    return posted[from];
  };
  return { store, session, receive, sessionReads, invoked };
}

describe('Lambda $default route: conversation frames', () => {
  it("lists, renames and deletes the signed-in user's own conversations only", async () => {
    const r = await routes(alice);
    await r.session('a1', alice, 'Alice on AWS');
    await r.session('b1', bob, 'Bob on AWS');
    const listed = await r.receive({ type: 'conversations' });
    expect(listed).toMatchObject({ type: 'conversations', items: [{ sessionId: 'a1' }] });
    expect(listed?.type === 'conversations' && listed.items).toHaveLength(1);

    const theirs = await r.receive({ type: 'conversation-delete', sessionId: 'b1' });
    const unknown = await r.receive({ type: 'conversation-delete', sessionId: 'nope' });
    expect(theirs).toMatchObject({ type: 'error', code: 'SESSION_NOT_FOUND' });
    expect(theirs).toEqual(unknown);
    expect(await r.store.getSession('b1')).toBeDefined();

    expect(
      await r.receive({ type: 'conversation-rename', sessionId: 'a1', title: 'AWS' }),
    ).toMatchObject({ type: 'conversation-renamed', sessionId: 'a1', title: 'AWS' });
    expect(await r.receive({ type: 'conversation-delete', sessionId: 'a1' })).toMatchObject({
      type: 'conversation-deleted',
      sessionId: 'a1',
    });
    expect(await r.store.getSession('a1')).toBeUndefined();
  });

  it('refuses a title with nothing visible in it, and turns control characters into spaces', async () => {
    const r = await routes(alice);
    await r.session('a2', alice, 'Alice again');
    for (const title of ['\u200b', '\u0000', ' \u200b\u2060\u00ad ', '\u0007\t']) {
      expect(
        await r.receive({ type: 'conversation-rename', sessionId: 'a2', title }),
      ).toMatchObject({
        type: 'error',
        code: 'INVALID_FRAME',
        message: expect.stringMatching(/title is blank/),
      });
    }
    expect(
      await r.receive({ type: 'conversation-rename', sessionId: 'a2', title: 'Q3\u0000plan' }),
    ).toMatchObject({ type: 'conversation-renamed', title: 'Q3 plan' });
  });

  it('refuses an anonymous caller: on AWS the anonymous sessions are nobody’s to list', async () => {
    const r = await routes();
    await r.session('x1', undefined, 'anonymous question');
    const refused = await r.receive({ type: 'conversations' });
    expect(refused).toMatchObject({ type: 'error', code: 'SIGN_IN_REQUIRED' });
    expect(refused?.type === 'error' && refused.message).toMatch(/sign in/);
  });

  it.each([
    ['an anonymous connection', undefined],
    ['a signed-in one', alice],
  ])(
    'reads no session record per frame to learn the caller (%s); a message hands the engine its sender',
    async (_, who) => {
      const r = await routes(who);
      r.sessionReads.count = 0;
      await r.receive({ type: 'history' });
      await r.receive({ type: 'conversations' });
      await r.receive({ type: 'message', id: 'm1', content: 'hello' });
      expect(r.sessionReads.count).toBe(0);
      expect(r.invoked).toHaveLength(1);
      expect(r.invoked[0]).toMatchObject({ kind: 'turn', clientMessageId: 'm1' });
      expect(r.invoked[0]?.kind === 'turn' && r.invoked[0].identity).toEqual(who);
    },
  );
});
