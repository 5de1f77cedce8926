/**
 * The Lambda `$default` route with the page's new client frames: `feedback` works the same as
 * on the local gateway (it only needs the store), `document` is refused with a clear
 * LOCAL_ONLY error. The route's collaborators are in-memory stand-ins; the store is the
 * in-memory session store the core tests use.
 */
import { silentLogger } from 'chatbot-mcp-server/core';
import { describe, expect, it } from 'vitest';
import type { WebSocketConnections } from '../../src/adapters/aws/apigw-connections.js';
import type { ConnectionBindings } from '../../src/adapters/records/aws-connection-bindings.js';
import { MemoryFrameSequence } from '../../src/ports/frame-sequence.js';
import type { ServerFrame } from '../../src/protocol/frames.js';
import { createWsRoutes, type WsRouteDeps } from '../../src/transports/lambda/ws-routes.js';
import { MemorySessionStore } from '../support/memory-session-store.js';

function routes() {
  const posted: ServerFrame[] = [];
  const counted: string[] = [];
  const store = new MemorySessionStore();
  const deps = {
    store,
    bindings: { get: () => Promise.resolve({ sessionId: 's1' }) } as unknown as ConnectionBindings,
    connections: {
      post: (_id: string, text: string) => {
        posted.push(JSON.parse(text) as ServerFrame);
        return Promise.resolve();
      },
    } as unknown as WebSocketConnections,
    analytics: {
      feedback: (_s: string, d: { rating: string }) => {
        counted.push(d.rating);
        return Promise.resolve();
      },
    },
    logger: silentLogger,
    sequence: new MemoryFrameSequence(),
    modelId: null,
  } as unknown as WsRouteDeps;
  const receive = (frame: unknown) =>
    createWsRoutes(deps).receive({
      requestContext: { routeKey: '$default', connectionId: 'c1' },
      body: JSON.stringify(frame),
    });
  return { posted, counted, store, receive };
}

describe('Lambda $default route: document and feedback frames', () => {
  it('refuses document with LOCAL_ONLY, saying the viewer is local-only for now', async () => {
    const r = routes();
    await r.receive({ type: 'document', source: 'a.md' });
    expect(r.posted).toHaveLength(1);
    expect(r.posted[0]).toMatchObject({ type: 'error', code: 'LOCAL_ONLY', replyTo: 'document' });
    expect(r.posted[0]?.type === 'error' && r.posted[0].message).toMatch(/local gateway only/);
  });

  it('refuses documents (the panel) with LOCAL_ONLY too', async () => {
    const r = routes();
    await r.receive({ type: 'documents' });
    expect(r.posted[0]).toMatchObject({ type: 'error', code: 'LOCAL_ONLY', replyTo: 'documents' });
  });

  it('stores feedback on an answer of the session and counts it', async () => {
    const r = routes();
    await r.store.appendMessage({
      sessionId: 's1',
      messageId: 'A1',
      timestamp: new Date().toISOString(),
      messageType: 'assistant',
      content: 'an answer',
      ttl: 0,
    });
    await r.receive({ type: 'feedback', messageId: 'A1', rating: 'up' });
    expect(r.posted).toEqual([{ type: 'feedback', messageId: 'A1', rating: 'up' }]);
    expect((await r.store.listMessages('s1', { limit: 1 }))[0]?.feedback?.rating).toBe('up');
    expect(r.counted).toEqual(['up']);
  });
});
