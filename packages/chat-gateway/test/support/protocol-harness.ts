/**
 * The protocol harness (scripted frames, NOT the real gateway): an http + ws server on
 * 127.0.0.1 that serves dist/web with the gateway's CSP and lets a test play the server side of
 * the chat protocol frame by frame. Used for page behaviour the real engine cannot be steered
 * into (hostile text at will, a socket dropped mid-answer, refused reconnects).
 */
import { randomBytes } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { extname, join } from 'node:path';
import { WebSocket, WebSocketServer, type RawData } from 'ws';
import type { ClientFrame, HistoryMessage, ServerFrame } from '../../src/protocol/frames.js';

/** The gateway's Content-Security-Policy, verbatim. */
export const GATEWAY_CSP =
  "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; " +
  "form-action 'none'; frame-src 'none'; frame-ancestors 'none'; object-src 'none'; base-uri 'none'";

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
};

function parseFrame(data: RawData): ClientFrame {
  const bytes = Array.isArray(data)
    ? Buffer.concat(data)
    : Buffer.isBuffer(data)
      ? data
      : Buffer.from(new Uint8Array(data));
  return JSON.parse(bytes.toString('utf8')) as ClientFrame;
}

export class HarnessConnection {
  readonly received: ClientFrame[] = [];
  private waiters: (() => void)[] = [];

  constructor(
    readonly socket: WebSocket,
    readonly sessionId: string,
  ) {
    socket.on('message', (data, isBinary) => {
      if (isBinary) return;
      this.received.push(parseFrame(data));
      for (const w of this.waiters.splice(0)) w();
    });
  }

  send(frame: ServerFrame): void {
    this.socket.send(JSON.stringify(frame));
  }

  /** The first frame of `type` from the page at or after index `from` (waits for it). */
  async next<T extends ClientFrame['type']>(
    type: T,
    from = 0,
    timeoutMs = 10_000,
  ): Promise<Extract<ClientFrame, { type: T }>> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const found = this.received.slice(from).find((f) => f.type === type);
      if (found) return found as Extract<ClientFrame, { type: T }>;
      if (Date.now() > deadline)
        throw new Error(`no '${type}' frame from the page within ${timeoutMs} ms`);
      await new Promise<void>((resolve) => {
        this.waiters.push(resolve);
        setTimeout(resolve, 100);
      });
    }
  }

  /** Drops the connection without a close handshake, as a crashed server or lost network would. */
  drop(): void {
    this.socket.terminate();
  }
}

export interface HarnessScript {
  /** The session frame's model; null (the default) is the offline engine. */
  model?: string | null;
  notice?: string;
  /** The session frame's title (CHAT_TITLE). */
  title?: string;
  /** Answers a `history` request (newest first). */
  history?: () => HistoryMessage[];
}

export interface ProtocolHarness {
  url: string;
  connections: HarnessConnection[];
  /** Paths the page requested over http, in order. */
  requests: string[];
  /** Upgrades to refuse (503) before accepting again: a gateway that is still down. */
  refuseUpgrades: number;
  refusedUpgrades: number;
  /** Waits for connection number `index` (0-based). */
  connection(index: number, timeoutMs?: number): Promise<HarnessConnection>;
  close(): Promise<void>;
}

const token = (): string => randomBytes(18).toString('base64url');

export async function startProtocolHarness(
  webDir: string,
  script: HarnessScript = {},
): Promise<ProtocolHarness> {
  const sessions = new Map<string, string>(); // sessionId -> current resume token
  const sockets = new Set<Socket>();
  const server = createServer((req, res) => {
    const path = new URL(req.url ?? '/', 'http://127.0.0.1').pathname;
    harness.requests.push(path);
    const file = path === '/' ? 'index.html' : path.slice(1);
    const type = TYPES[extname(file)];
    if (!type || file.includes('/') || file.includes('..')) {
      res.writeHead(404, { 'content-security-policy': GATEWAY_CSP }).end('not found');
      return;
    }
    readFile(join(webDir, file)).then(
      (body) =>
        res
          .writeHead(200, {
            'content-type': type,
            'content-security-policy': GATEWAY_CSP,
            'x-content-type-options': 'nosniff',
            'cache-control': 'no-store',
          })
          .end(body),
      () => res.writeHead(404).end('not found'),
    );
  });
  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  const wss = new WebSocketServer({ noServer: true });
  server.on('upgrade', (req: IncomingMessage, socket, head) => {
    if (
      new URL(req.url ?? '/', 'http://127.0.0.1').pathname !== '/ws' ||
      harness.refusedUpgrades < harness.refuseUpgrades
    ) {
      if (harness.refusedUpgrades < harness.refuseUpgrades) harness.refusedUpgrades += 1;
      socket.end('HTTP/1.1 503 Service Unavailable\r\nConnection: close\r\n\r\n');
      return;
    }
    wss.handleUpgrade(req, socket, head, (ws) => accept(ws));
  });

  const waiters: (() => void)[] = [];
  function accept(ws: WebSocket): void {
    const sessionId = `s${harness.connections.length}_${token().slice(0, 8)}`;
    const resumeToken = token();
    sessions.set(sessionId, resumeToken);
    const conn = new HarnessConnection(ws, sessionId);
    harness.connections.push(conn);
    for (const w of waiters.splice(0)) w();
    const model = script.model === undefined ? null : script.model;
    const notice =
      model === null ? (script.notice ?? 'No language model is configured (harness).') : undefined;
    conn.send({
      type: 'session',
      sessionId,
      resumeToken,
      resumed: false,
      model,
      ...(notice && { notice }),
      ...(script.title && { title: script.title }),
    });
    // The protocol's housekeeping frames are answered like the gateway does; the rest is the test's.
    ws.on('message', (data) => {
      const frame = parseFrame(data);
      if (frame.type === 'resume') {
        if (sessions.get(frame.sessionId) !== frame.resumeToken) {
          conn.send({
            type: 'error',
            code: 'SESSION_NOT_FOUND',
            message: 'No such session.',
            retryable: false,
            replyTo: 'resume',
          });
          return;
        }
        const rotated = token();
        sessions.set(frame.sessionId, rotated);
        conn.send({
          type: 'session',
          sessionId: frame.sessionId,
          resumeToken: rotated,
          resumed: true,
          model,
          ...(notice && { notice }),
          ...(script.title && { title: script.title }),
        });
      } else if (frame.type === 'history') {
        conn.send({ type: 'history', messages: script.history?.() ?? [] });
      }
    });
  }

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const harness: ProtocolHarness = {
    url: `http://127.0.0.1:${port}/`,
    connections: [],
    requests: [],
    refuseUpgrades: 0,
    refusedUpgrades: 0,
    async connection(index, timeoutMs = 15_000) {
      const deadline = Date.now() + timeoutMs;
      while (!harness.connections[index]) {
        if (Date.now() > deadline)
          throw new Error(`connection #${index} did not arrive within ${timeoutMs} ms`);
        await new Promise<void>((resolve) => {
          waiters.push(resolve);
          setTimeout(resolve, 100);
        });
      }
      return harness.connections[index];
    },
    async close() {
      for (const c of wss.clients) c.terminate();
      wss.close();
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
  return harness;
}

let answerSeq = 0;

/** Plays one whole answer to client message `replyTo`: start, deltas, sources, finish. */
export function playAnswer(
  conn: HarnessConnection,
  replyTo: string,
  answer: {
    deltas: string[];
    queryType?: 'rag' | 'general' | 'mcp_tool';
    sources?: { n: number; source: string; title?: string; snippet: string; score: number }[];
    toolsUsed?: string[];
    finish?: boolean;
    messageId?: string;
  },
): string {
  const messageId = answer.messageId ?? `m${Date.now()}${answerSeq++}`;
  const queryType = answer.queryType ?? 'rag';
  conn.send({ type: 'start', messageId, replyTo, queryType, reason: 'scripted by the harness' });
  for (const s of answer.sources ?? []) conn.send({ type: 'source', messageId, ...s });
  for (const delta of answer.deltas) conn.send({ type: 'text-delta', messageId, delta });
  if (answer.finish !== false) {
    conn.send({
      type: 'finish',
      messageId,
      finishReason: 'stop',
      response: {
        sessionId: conn.sessionId,
        messageId,
        content: answer.deltas.join(''),
        timestamp: new Date().toISOString(),
        sources: (answer.sources ?? []).map((s) => s.source),
        toolsUsed: answer.toolsUsed ?? [],
        queryType,
        responseTime: 1,
      },
    });
  }
  return messageId;
}
