import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { createLimitedServer, type Logger } from 'chatbot-mcp-server/core';
import type { StoreHealth } from 'chatbot-mcp-server/runtime';
import { WebSocketServer, type WebSocket } from 'ws';
import type { LocalServerConfig } from '../../config.js';
import type { ChatGateway } from '../../core/chat-gateway.js';
import { ClientGoneError } from '../../errors.js';
import { MAX_FRAME_BYTES } from '../../protocol/frames.js';
import { SECURITY_HEADERS, staticFiles } from './static-files.js';
import { answerAuthCheck } from './auth-check.js';
import { answerWebConfig } from './web-config-route.js';
import { answerUpload, type UploadDeps } from './upload-route.js';
import { checkOrigin, presentedToken, reachableHosts, tokenMatches } from './upgrade-guards.js';
import { OidcSignIn } from './oidc/oidc-sign-in.js';
import type { Identity } from '../../ports/session-store.js';
import { WsChannel } from './ws-channel.js';

export interface LocalServer {
  /** `http://host:port` */
  url: string;
  port: number;
  /** Gauges of the limits on sockets and on what slow readers hold. */
  stats(): LocalServerStats;
  /** Stops accepting, lets turns in flight finish up to the grace period, closes with 1001. */
  close(): Promise<void>;
}

export interface LocalServerStats {
  /** Sockets that are not chat WebSockets: page loads, /healthz, handshakes, silent ones. */
  httpSockets: number;
  /** HTTP sockets closed on arrival or displaced because their address was at its cap. */
  httpSocketsRefused: number;
  webSockets: number;
  /** Bytes held in the server for all WebSocket clients now (queues plus socket buffers). */
  queuedBytes: number;
  /** The most bytes one WebSocket client ever had held in the server. */
  peakQueuedBytes: number;
  /** The most frames one client ever had held (each costs ~0.5 KiB of bookkeeping besides). */
  peakQueuedFrames: number;
  /** WebSocket clients closed with 4002 for reading too slowly. */
  slowReadersClosed: number;
}

export interface LocalServerOptions {
  gateway: ChatGateway;
  config: LocalServerConfig;
  logger: Logger;
  /** The built web page; none: only /healthz and /ws. */
  webRoot?: string;
  /** The chat store's health, for `/healthz` (an embedded store; DynamoDB has none). */
  storeHealth?: () => Promise<StoreHealth>;
  /** Tests: how soon the issuer's key set is refetched for an unknown `kid` (default 30 s). */
  jwksCooldownMs?: number;
  /** Where POST /upload ingests files; none: no upload route. */
  upload?: Omit<UploadDeps, 'config' | 'reachable' | 'signInRequired' | 'identity'>;
}

/** The local transport: `GET /healthz`, the page at `/`, and the chat WebSocket at `/ws`. */
export async function startLocalServer(options: LocalServerOptions): Promise<LocalServer> {
  const { gateway, config, logger } = options;
  const serveStatic = options.webRoot ? staticFiles(options.webRoot) : undefined;
  const perIp = new Map<string, number>();
  const sockets = new Set<WebSocket>();
  const channels = new Map<WebSocket, WsChannel>();
  let peakClosed = 0;
  let peakFramesClosed = 0;
  let slowReadersClosed = 0;
  /** Sessions being detached from sockets that closed. */
  const detaching = new Set<Promise<void>>();
  const alive = new WeakSet<WebSocket>();
  // Read per request: interfaces come and go (DHCP, VPN) while the gateway runs.
  const reachable = (): Set<string> => reachableHosts(config.host, config.allowedOrigins);
  // CHAT_OIDC_ISSUER: every upgrade and /auth-check needs a signed-in identity (fail closed).
  const signIn =
    config.oidc &&
    new OidcSignIn({
      config: config.oidc,
      allowedOrigins: config.allowedOrigins,
      reachable,
      logger,
      ...(options.jwksCooldownMs !== undefined && { jwksCooldownMs: options.jwksCooldownMs }),
    });
  /** The sockets opened by each signed-in browser, closed when it signs out. */
  const byWebSession = new Map<string, Set<WebSocket>>();
  signIn?.onSignOut((id) => {
    for (const ws of byWebSession.get(id) ?? []) ws.close(1008, 'signed out');
    byWebSession.delete(id);
  });

  // Paths that only read: any other method is a 405, as on the MCP server's /healthz (the page's
  // files fall through to 404; /upload and the sign-in routes say which method they take).
  const readOnlyPaths = new Set([
    '/healthz',
    '/auth-check',
    ...(serveStatic ? ['/config.json'] : []),
    ...(signIn ? [] : ['/auth/me']),
  ]);

  // Keep-alive 5 s; no request has a body, so the request timeout is the header timeout.
  const httpLimits = {
    keepAliveTimeoutMs: Math.min(5_000, config.headersTimeoutMs),
    headersTimeoutMs: config.headersTimeoutMs,
    requestTimeoutMs: config.headersTimeoutMs,
    maxPerAddress: config.maxHttpConnectionsPerIp,
  };
  const { server, sockets: httpSockets } = createLimitedServer(httpLimits, (req, res) => {
    // Every answer of every path and status carries them, errors included.
    for (const [name, value] of Object.entries(SECURITY_HEADERS)) res.setHeader(name, value);
    void (async () => {
      const path = new URL(req.url ?? '/', 'http://x').pathname;
      if (readOnlyPaths.has(path) && req.method !== 'GET' && req.method !== 'HEAD') {
        const body = JSON.stringify({ error: `${path} answers GET and HEAD only` });
        res.writeHead(405, {
          ...SECURITY_HEADERS,
          allow: 'GET, HEAD',
          'content-type': 'application/json',
          'content-length': Buffer.byteLength(body),
        });
        res.end(body);
        return;
      }
      if (path === '/healthz') {
        // 503 while the chat store refuses writes (a full disk), so an orchestrator can tell.
        const health = (await options.storeHealth?.()) ?? { writable: true };
        res.writeHead(health.writable ? 200 : 503, {
          ...SECURITY_HEADERS,
          'content-type': 'application/json',
          'cache-control': 'no-store',
        });
        res.end(
          JSON.stringify({
            status: health.writable ? 'ok' : 'unavailable',
            ...(!health.writable && { reason: storeRefusal(health.reason) }),
            connections: gateway.connectionCount,
            activeTurns: gateway.activeTurns,
            model: gateway.modelId,
          }),
        );
        return;
      }
      if (path === '/auth-check') return await answerAuthCheck(req, res, config, reachable, signIn);
      if (signIn && (await signIn.handle(req, res, path))) return;
      if (!signIn && path === '/auth/me') {
        // No sign-in configured: nobody to show (the page hides its account corner).
        res.writeHead(204, { ...SECURITY_HEADERS, 'cache-control': 'no-store' }).end();
        return;
      }
      if (serveStatic && path === '/config.json') return answerWebConfig(res);
      if (path === '/upload' && options.upload) {
        // With sign-in on, an upload is someone's: the same identity as a WebSocket upgrade.
        const who = signIn && (await signIn.identify(req));
        return answerUpload(req, res, {
          ...options.upload,
          config,
          reachable,
          signInRequired: signIn !== undefined,
          ...(who && who.ok && { identity: who.identity }),
        });
      }
      if (serveStatic && (await serveStatic(req, res))) return;
      res.writeHead(404, { ...SECURITY_HEADERS, 'content-type': 'application/json' });
      res.end(JSON.stringify({ error: 'not found: the chat is at / and its WebSocket at /ws' }));
    })().catch((error: unknown) => {
      logger.error('http request failed', { message: String(error) });
      if (!res.headersSent) res.writeHead(500).end();
    });
  });

  const wss = new WebSocketServer({
    noServer: true,
    maxPayload: MAX_FRAME_BYTES,
    perMessageDeflate: false,
    clientTracking: false,
  });

  server.on('upgrade', (req: IncomingMessage, socket: Socket, head: Buffer) => {
    const refuse = (status: number, text: string): void => {
      socket.end(
        `HTTP/1.1 ${status} ${text}\r\nConnection: close\r\nContent-Type: text/plain\r\nContent-Length: ${text.length}\r\n\r\n${text}`,
      );
    };
    const path = new URL(req.url ?? '/', 'http://x').pathname;
    if (path !== '/ws') return refuse(404, 'Not Found');
    const ip = req.socket.remoteAddress ?? 'unknown';
    // Logged (never the token) so that an operator sees why a page keeps reconnecting.
    const refused = (status: number, text: string, reason: string): void => {
      logger.warn('websocket upgrade refused', {
        status,
        reason,
        address: ip,
        ...(req.headers.origin !== undefined && { origin: req.headers.origin.slice(0, 200) }),
        ...(req.headers.host !== undefined && { host: req.headers.host.slice(0, 200) }),
      });
      refuse(status, text);
    };
    const origin = checkOrigin(req, config.allowedOrigins, reachable);
    if (!origin.ok) return refused(403, 'Forbidden', origin.reason);
    if (config.authToken && !tokenMatches(presentedToken(req), config.authToken))
      return refused(
        401,
        'Unauthorized',
        presentedToken(req) === undefined ? 'no access token' : 'wrong access token',
      );
    if (
      sockets.size >= config.maxConnections ||
      (perIp.get(ip) ?? 0) >= config.maxConnectionsPerIp
    ) {
      return refuse(503, 'Service Unavailable');
    }
    if (!signIn) return upgrade(req, socket, head, ip);
    void signIn.identify(req).then(
      (who) => {
        if (!who.ok) return refused(401, 'Unauthorized', who.reason);
        if (socket.destroyed) return;
        upgrade(req, socket, head, ip, who.identity, who.webSessionId);
      },
      (error: unknown) => refused(401, 'Unauthorized', String(error)),
    );
  });

  function upgrade(
    req: IncomingMessage,
    socket: Socket,
    head: Buffer,
    ip: string,
    identity?: Identity,
    webSessionId?: string,
  ): void {
    wss.handleUpgrade(req, socket, head, (ws) => {
      httpSockets.handOver(socket); // now under the WebSocket caps
      if (webSessionId) {
        const set = byWebSession.get(webSessionId) ?? new Set();
        byWebSession.set(webSessionId, set.add(ws));
        ws.once('close', () => {
          set.delete(ws);
          if (set.size === 0 && byWebSession.get(webSessionId) === set)
            byWebSession.delete(webSessionId);
        });
      }
      accept(ws, req, ip, identity);
    });
  }

  function accept(ws: WebSocket, req: IncomingMessage, ip: string, identity?: Identity): void {
    sockets.add(ws);
    alive.add(ws);
    perIp.set(ip, (perIp.get(ip) ?? 0) + 1);
    const channel = new WsChannel(randomUUID(), ws, config.maxBufferedBytes, () => {
      slowReadersClosed += 1;
    });
    channels.set(ws, channel);
    const ready = gateway
      .open(channel, {
        ipAddress: ip,
        ...(req.headers['user-agent'] && { userAgent: req.headers['user-agent'].slice(0, 256) }),
        ...(identity && { identity }),
      })
      .then(() => true)
      .catch(async (error: unknown) => {
        if (error instanceof ClientGoneError) {
          // A drive-by client (connected, then left before its session frame): not a failure.
          logger.debug('client left before its session started', { ip });
          return false;
        }
        logger.error('could not start a session', {
          message: error instanceof Error ? error.message : String(error),
        });
        await channel
          .send({
            type: 'error',
            code: 'STORAGE_UNAVAILABLE',
            message: 'The chat cannot start a session right now; reconnect in a moment.',
            retryable: true,
          })
          .catch(() => undefined);
        ws.close(1011, 'session store unavailable');
        return false;
      });
    ws.on('pong', () => alive.add(ws));
    ws.on('message', (data, isBinary) => {
      void ready
        .then(async (ok) => {
          if (!ok) return;
          if (isBinary) {
            await channel.send({
              type: 'error',
              code: 'INVALID_FRAME',
              message: 'frame: binary frames are not supported; send JSON text frames',
              retryable: false,
            });
            return;
          }
          await gateway.receive(
            channel,
            Buffer.isBuffer(data)
              ? data.toString('utf8')
              : Buffer.concat(data as Buffer[]).toString('utf8'),
          );
        })
        // A frame and a close in one packet: the answer finds the socket closing. An
        // unhandled rejection here would end the process for every client.
        .catch((error: unknown) => {
          if (error instanceof ClientGoneError) return;
          logger.error('frame handling failed', {
            message: error instanceof Error ? error.message : String(error),
          });
        });
    });
    ws.on('error', (error) => logger.debug('socket error', { message: error.message }));
    ws.on('close', () => {
      sockets.delete(ws);
      channels.delete(ws);
      peakClosed = Math.max(peakClosed, channel.peakQueuedBytes);
      peakFramesClosed = Math.max(peakFramesClosed, channel.peakQueuedFrames);
      const left = (perIp.get(ip) ?? 1) - 1;
      if (left <= 0) perIp.delete(ip);
      else perIp.set(ip, left);
      const detach = ready.then(() => gateway.closed(channel)).catch(() => undefined);
      detaching.add(detach);
      void detach.finally(() => detaching.delete(detach));
    });
  }

  // Heartbeat: a peer that missed a whole interval of pings is dead; drop it.
  const heartbeat = setInterval(() => {
    for (const ws of sockets) {
      if (!alive.has(ws)) {
        ws.terminate();
        continue;
      }
      alive.delete(ws);
      ws.ping();
    }
  }, config.heartbeatMs);
  heartbeat.unref();

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(config.port, config.host, () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  const shownHost = config.host.includes(':') ? `[${config.host}]` : config.host;
  let closing: Promise<void> | undefined;
  return {
    url: `http://${shownHost}:${port}`,
    port,
    stats: () => {
      let queuedBytes = 0;
      let peakQueuedBytes = peakClosed;
      let peakQueuedFrames = peakFramesClosed;
      for (const channel of channels.values()) {
        queuedBytes += channel.queuedBytes;
        peakQueuedBytes = Math.max(peakQueuedBytes, channel.peakQueuedBytes);
        peakQueuedFrames = Math.max(peakQueuedFrames, channel.peakQueuedFrames);
      }
      return {
        httpSockets: httpSockets.open,
        httpSocketsRefused: httpSockets.refused,
        webSockets: sockets.size,
        queuedBytes,
        peakQueuedBytes,
        peakQueuedFrames,
        slowReadersClosed,
      };
    },
    close: () =>
      (closing ??= (async () => {
        clearInterval(heartbeat);
        const stopped = new Promise<void>((resolve) => server.close(() => resolve()));
        server.closeIdleConnections();
        await gateway.drain(config.shutdownGraceMs);
        for (const ws of sockets) ws.close(1001, 'server shutting down');
        const end = Date.now() + 2_000;
        while (sockets.size > 0 && Date.now() < end) await new Promise((r) => setTimeout(r, 20));
        for (const ws of sockets) ws.terminate();
        // The sessions of the sockets just closed are detached before the store goes away.
        await new Promise((r) => setImmediate(r));
        await Promise.allSettled([...detaching]);
        server.closeAllConnections();
        await stopped;
      })()),
  };
}

/** Why `/healthz` is 503, without the store's folder (the endpoint needs no token). */
function storeRefusal(reason: string): string {
  return /no space left/i.test(reason)
    ? 'the chat store refuses writes: no space left on the disk of its data directory; free space there and it resumes by itself'
    : 'the chat store refuses writes after a disk error on its data directory; it retries by itself';
}
