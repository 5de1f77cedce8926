import type { Logger } from 'chatbot-mcp-server/core';
import { afterEach, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { ChatGateway } from '../../src/core/chat-gateway.js';
import type { SessionsPort } from '../../src/core/sessions-port.js';
import { ChatEngine } from '../../src/engine/chat-engine.js';
import { StorageError } from '../../src/errors.js';
import type { ToolClient } from '../../src/ports/tool-client.js';
import { startLocalServer, type LocalServer } from '../../src/transports/local/ws-server.js';
import { MemorySessionStore } from '../support/memory-session-store.js';
import { memorySessions } from '../support/memory-sessions.js';

/** A logger that keeps every line, so a test can assert on levels. */
function recordingLogger(): Logger & { lines: { level: string; msg: string }[] } {
  const lines: { level: string; msg: string }[] = [];
  const at = (level: string) => (msg: string) => void lines.push({ level, msg });
  return { lines, debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error') };
}

/** The engine is never asked anything here: these tests end before the first frame. */
const noTools: ToolClient = {
  listTools: () => Promise.resolve([]),
  callTool: () => Promise.reject(new Error('no tools in this test')),
  readDocument: () => Promise.reject(new Error('no documents in this test')),
  close: () => Promise.resolve(),
};

async function serve(sessions: SessionsPort, logger: Logger): Promise<LocalServer> {
  const store = new MemorySessionStore();
  const gateway = new ChatGateway({
    engine: new ChatEngine({
      tools: noTools,
      logger,
      ragMinScore: 0.45,
      ragLimit: 5,
      toolTimeoutMs: 1000,
      historyTokenBudget: 1000,
    }),
    sessions,
    store,
    logger,
    newId: () => String(Date.now()),
    retentionDays: 1,
    approvalTimeoutMs: 1000,
    framesPerSecond: 10,
  });
  return startLocalServer({
    gateway,
    logger,
    config: {
      host: '127.0.0.1',
      port: 0,
      allowNoAuth: false,
      maxHttpConnectionsPerIp: 100,
      headersTimeoutMs: 10_000,
      allowedOrigins: [],
      maxConnections: 100,
      maxConnectionsPerIp: 100,
      framesPerSecond: 10,
      maxBufferedBytes: 1 << 20,
      heartbeatMs: 60_000,
      shutdownGraceMs: 100,
    },
  });
}

describe('local server: a session that cannot start (real ws clients on loopback)', () => {
  let server: LocalServer | undefined;
  afterEach(async () => {
    await server?.close();
    server = undefined;
  });

  it('logs a client that connects and drops before its session frame at debug, nothing at error', async () => {
    const logger = recordingLogger();
    const base = memorySessions(new MemorySessionStore());
    let created = 0;
    // Session creation takes a while (a store round trip); the client is gone before it ends.
    const sessions: SessionsPort = {
      ...base,
      create: async (info, connectionId) => {
        await new Promise((r) => setTimeout(r, 200));
        created += 1;
        return base.create(info, connectionId);
      },
    };
    server = await serve(sessions, logger);
    for (let i = 0; i < 3; i++) {
      const ws = new WebSocket(`${server.url.replace('http', 'ws')}/ws`);
      await new Promise((resolve, reject) => ws.once('open', resolve).once('error', reject));
      ws.terminate();
    }
    await expect.poll(() => created, { timeout: 10_000 }).toBe(3);
    await expect
      .poll(() => logger.lines.filter((l) => l.msg === 'client left before its session started'))
      .toHaveLength(3);
    expect(logger.lines.filter((l) => l.level === 'error')).toEqual([]);
  });

  it('still logs a store failure at session start at error, and tells the client', async () => {
    const logger = recordingLogger();
    const sessions: SessionsPort = {
      ...memorySessions(new MemorySessionStore()),
      create: () => Promise.reject(new StorageError('the sessions table is unreachable')),
    };
    server = await serve(sessions, logger);
    const ws = new WebSocket(`${server.url.replace('http', 'ws')}/ws`);
    const first = await new Promise<string>((resolve, reject) =>
      ws.once('message', (d: Buffer) => resolve(d.toString('utf8'))).once('error', reject),
    );
    expect(JSON.parse(first)).toMatchObject({ type: 'error', code: 'STORAGE_UNAVAILABLE' });
    expect(logger.lines.filter((l) => l.level === 'error').map((l) => l.msg)).toEqual([
      'could not start a session',
    ]);
    ws.terminate();
  });
});
