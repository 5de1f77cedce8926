/**
 * The Lambda `$default` route with the page's client frames for documents and feedback:
 * `feedback` works as on the local gateway (it only needs the store); `documents` (the panel)
 * and `document` (the viewer) read through the function's documents port (the MCP server) as
 * the connection's user, as on the local gateway. The route's collaborators are in-memory
 * stand-ins; the store is the in-memory session store the core tests use.
 */
import { silentLogger } from 'chatbot-mcp-server/core';
import { describe, expect, it } from 'vitest';
import type { WebSocketConnections } from '../../src/adapters/aws/apigw-connections.js';
import type { ConnectionBindings } from '../../src/adapters/records/aws-connection-bindings.js';
import { MemoryFrameSequence } from '../../src/ports/frame-sequence.js';
import type { ServerFrame } from '../../src/protocol/frames.js';
import { createWsRoutes, type WsRouteDeps } from '../../src/transports/lambda/ws-routes.js';
import { MemorySessionStore } from '../support/memory-session-store.js';

interface DocumentCall {
  what: string;
  caller: unknown;
}

function routes() {
  const posted: ServerFrame[] = [];
  const counted: string[] = [];
  const reads: DocumentCall[] = [];
  const store = new MemorySessionStore();
  const documents: WsRouteDeps['documents'] = {
    readDocument: (source, options) => {
      reads.push({ what: `read ${source}`, caller: options?.caller });
      return Promise.resolve(
        source === 'a.md'
          ? { source, title: 'A', text: 'Intro. The cited passage.', mimeType: 'text/markdown' }
          : undefined,
      );
    },
    callTool: (name, args, options) => {
      reads.push({ what: `${name} ${JSON.stringify(args)}`, caller: options?.caller });
      return Promise.resolve({
        isError: false,
        text: '',
        structured: {
          documents: [
            { source: 'a.md', title: 'A', chunks: 2, ingested_at: '2026-12-01T00:00:00Z' },
          ],
          cursor: 'next',
        },
      });
    },
  };
  const deps = {
    documents,
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
  const receive = (frame: unknown, authorizer?: Record<string, unknown>) =>
    createWsRoutes(deps).receive({
      requestContext: {
        routeKey: '$default',
        connectionId: 'c1',
        ...(authorizer && { authorizer }),
      },
      body: JSON.stringify(frame),
    });
  return { posted, counted, reads, store, receive };
}

/** Replies compared without their numbering (whether a reply is numbered is not this test's). */
const unnumbered = (frames: ServerFrame[]) =>
  frames.map((f) => ('seq' in f ? (({ seq: _seq, ...rest }) => rest)(f) : f));

const ALICE = {
  principalId: 'alice',
  issuer: 'https://idp.example.test',
  sub: 'alice',
  groups: '["staff"]',
};

describe('Lambda $default route: document and feedback frames', () => {
  it('document: the text from the documents port, read as the signed-in user (the authorizer context)', async () => {
    const r = routes();
    await r.receive({ type: 'document', source: 'a.md', snippet: 'cited passage' }, ALICE);
    expect(r.reads).toEqual([
      {
        what: 'read a.md',
        caller: { issuer: 'https://idp.example.test', subject: 'alice', groups: ['staff'] },
      },
    ]);
    expect(unnumbered(r.posted)).toEqual([
      {
        type: 'document',
        source: 'a.md',
        title: 'A',
        text: 'Intro. The cited passage.',
        mimeType: 'text/markdown',
        offset: 0,
        totalChars: 25,
      },
    ]);
  });

  it('document the reader may not read (or that is gone): NOT_FOUND, as locally', async () => {
    const r = routes();
    await r.receive({ type: 'document', source: 'secret.md' });
    expect(r.reads).toEqual([{ what: 'read secret.md', caller: 'anonymous' }]);
    expect(r.posted[0]).toMatchObject({ type: 'error', code: 'NOT_FOUND', replyTo: 'document' });
  });

  it("documents (the panel): a page of list_documents for the connection's user, with its cursor", async () => {
    const r = routes();
    await r.receive({ type: 'documents', cursor: 'c0' }, ALICE);
    expect(r.reads).toEqual([
      {
        what: 'list_documents {"limit":50,"cursor":"c0"}',
        caller: { issuer: 'https://idp.example.test', subject: 'alice', groups: ['staff'] },
      },
    ]);
    expect(unnumbered(r.posted)).toEqual([
      {
        type: 'documents',
        documents: [{ source: 'a.md', title: 'A', chunks: 2, ingestedAt: '2026-12-01T00:00:00Z' }],
        cursor: 'next',
      },
    ]);
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
    // Only the panel and the viewer call the MCP server.
    expect(r.reads).toEqual([]);
  });
});
