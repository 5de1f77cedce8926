/**
 * The engine function's hello (`greet`) mints a token for a connection's new session only
 * while that connection is the session's last one. When another tab took the session up first
 * (a signed-in owner opening it by id, before the hello ran), that tab's token stays valid and
 * the connection that was never greeted is closed (so its page reconnects) instead of waiting
 * for a `session` frame that never comes. Over the embedded store in memory.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { silentLogger } from 'chatbot-mcp-server/core';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ConnectionBindings } from '../../src/adapters/records/aws-connection-bindings.js';
import { buildChatServices, type ChatServices } from '../../src/app/chat-services.js';
import { chatTableSpecs } from '../../src/app/chat-tables.js';
import { openChatStore, type ChatRecordStore } from '../../src/app/open-chat-store.js';
import { loadGatewayConfig } from '../../src/config.js';
import type { ToolClient } from '../../src/ports/tool-client.js';
import type { ServerFrame } from '../../src/protocol/frames.js';
import { greet } from '../../src/transports/lambda/worker-hello.js';

const user = { issuer: 'https://issuer.test', subject: 'alice' };
const noTools: ToolClient = {
  listTools: () => Promise.resolve([]),
  callTool: () => Promise.reject(new Error('no tools')),
  readDocument: () => Promise.resolve(undefined),
  close: () => Promise.resolve(),
};

describe('greet with another tab on the new session', () => {
  let dir: string;
  let chatStore: ChatRecordStore;
  let s: ChatServices;
  let bindings: ConnectionBindings;
  const posted = new Map<string, ServerFrame[]>();
  const deleted: string[] = [];
  const connections = {
    post: (id: string, text: string) => {
      posted.set(id, [...(posted.get(id) ?? []), JSON.parse(text) as ServerFrame]);
      return Promise.resolve();
    },
    delete: (id: string) => {
      deleted.push(id);
      return Promise.resolve();
    },
  };
  const hello = (connectionId: string, sessionId: string): Promise<void> =>
    greet(
      {
        sessions: s.sessions,
        bindings,
        connections,
        sequence: s.sequence,
        modelId: null,
        retryMs: 1_000,
      },
      { kind: 'hello', connectionId, sessionId },
    );

  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'hello-tabs-'));
    chatStore = await openChatStore({
      env: {},
      dataDir: dir,
      logger: silentLogger,
      inMemory: true,
    });
    s = buildChatServices({
      config: loadGatewayConfig({}, { dataDir: dir }),
      chatStore: { ...chatStore, exclusive: false },
      tools: noTools,
      logger: silentLogger,
    });
    bindings = new ConnectionBindings(
      chatStore.store,
      chatTableSpecs(chatStore.tables).conversations,
    );
    posted.clear();
    deleted.length = 0;
  });
  afterEach(async () => {
    await chatStore.close();
    rmSync(dir, { recursive: true, force: true });
  });

  /** `$connect` as the WebSocket function runs it: a session, its binding, its set. */
  async function connect(connectionId: string): Promise<string> {
    const { sessionId } = await s.sessions.create({ identity: user }, connectionId);
    await bindings.bind(connectionId, sessionId);
    await bindings.attached.add(sessionId, connectionId, 8);
    return sessionId;
  }

  it('greets the only connection of its session with a token that resumes it', async () => {
    const sessionId = await connect('conn-a');
    await hello('conn-a', sessionId);
    const [frame] = posted.get('conn-a') ?? [];
    if (frame?.type !== 'session') throw new Error('no session frame');
    expect(frame).toMatchObject({ sessionId, resumed: false });
    await expect(
      s.sessions.resume(sessionId, frame.resumeToken, 'conn-b', user),
    ).resolves.toMatchObject({
      sessionId,
    });
    expect(deleted).toEqual([]);
  });

  it("keeps the token of a tab that resumed the session first, and closes the connection it can't greet", async () => {
    const sessionId = await connect('conn-a');
    // Before the hello ran: the owner opens the session from another tab (no token needed).
    const other = await s.sessions.resume(sessionId, undefined, 'conn-x', user);
    await bindings.bind('conn-x', sessionId);
    await bindings.attached.add(sessionId, 'conn-x', 8);
    await hello('conn-a', sessionId);
    expect(posted.get('conn-a')).toBeUndefined();
    expect(deleted).toEqual(['conn-a']);
    expect((await bindings.get('conn-a'))?.gone).toBe(true);
    // The other tab is not locked out of its next reconnect.
    await expect(
      s.sessions.resume(sessionId, other.resumeToken, 'conn-y', user),
    ).resolves.toMatchObject({ sessionId });
  });
});
