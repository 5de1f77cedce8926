import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import type { Logger } from 'chatbot-mcp-server/core';
import { WebSocketServer, type WebSocket } from 'ws';
import type { LocalServerConfig } from '../../config.js';
import type { ChatGateway } from '../../core/chat-gateway.js';
import { ClientGoneError } from '../../errors.js';
import { MAX_FRAME_BYTES } from '../../protocol/frames.js';
import { SECURITY_HEADERS, staticFiles } from './static-files.js';
import { answerAuthCheck } from './auth-check.js';
import { answerUpload, type UploadDeps } from './upload-route.js';
import { checkOrigin, presentedToken, reachableHosts, tokenMatches } from './upgrade-guards.js';
import { WsChannel } from './ws-channel.js';

export interface LocalServer {
  /** `http://host:port` */
  url: string;
  port: number;
  /** Stops accepting, lets turns in flight finish up to the grace period, closes with 1001. */
  close(): Promise<void>;
}

export interface LocalServerOptions {
  gateway: ChatGateway;
  config: LocalServerConfig;
  logger: Logger;
  /** The built web page; none: only /healthz and /ws. */
  webRoot?: string;
  /** Where POST /upload ingests files; none: no upload route. */
  upload?: Omit<UploadDeps, 'config' | 'reachable'>;
}

/** The local transport: `GET /healthz`, the page at `/`, and the chat WebSocket at `/ws`. */
export async function startLocalServer(options: LocalServerOptions): Promise<LocalServer> {
  const { gateway, config, logger } = options;
  const serveStatic = options.webRoot ? staticFiles(options.webRoot) : undefined;
  const perIp = new Map<string, number>();
  const sockets = new Set<WebSocket>();
  /** Sessions being detached from sockets that closed. */
  const detaching = new Set<Promise<void>>();
  const alive = new WeakSet<WebSocket>();
  // Read per request: interfaces come and go (DHCP, VPN) while the gateway runs.
  const reachable = (): Set<string> => reachableHosts(config.host, config.allowedOrigins);

  const server: Server = createServer((req, res) => {
    void (async () => {
      const path = new URL(req.url ?? '/', 'http://x').pathname;
      if (path === '/healthz') {
        res.writeHead(200, {
          ...SECURITY_HEADERS,
          'content-type': 'application/json',
          'cache-control': 'no-store',
        });
        res.end(
          JSON.stringify({
            status: 'ok',
            connections: gateway.connectionCount,
            activeTurns: gateway.activeTurns,
            model: gateway.modelId,
          }),
        );
        return;
      }
      if (path === '/auth-check') return answerAuthCheck(req, res, config, reachable);
      if (path === '/upload' && options.upload)
        return answerUpload(req, res, { ...options.upload, config, reachable });
      if (serveStatic && (await serveStatic(req, res))) return;
      res.writeHead(404, { ...SECURITY_HEADERS, 'content-type': 'application/json' });
      res.end(JSON.stringify({ error: 'not found: the chat is at / and its WebSocket at /ws' }));
    })().catch((error: unknown) => {
      logger.error('http request failed', { message: String(error) });
      if (!res.headersSent) res.writeHead(500).end();
    });
  });
  server.keepAliveTimeout = 5_000;
  server.headersTimeout = 10_000;
  server.requestTimeout = 30_000;

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
    wss.handleUpgrade(req, socket, head, (ws) => accept(ws, req, ip));
  });

  function accept(ws: WebSocket, req: IncomingMessage, ip: string): void {
    sockets.add(ws);
    alive.add(ws);
    perIp.set(ip, (perIp.get(ip) ?? 0) + 1);
    const channel = new WsChannel(randomUUID(), ws, config.maxBufferedBytes);
    const ready = gateway
      .open(channel, {
        ipAddress: ip,
        ...(req.headers['user-agent'] && { userAgent: req.headers['user-agent'].slice(0, 256) }),
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
      void ready.then(async (ok) => {
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
      });
    });
    ws.on('error', (error) => logger.debug('socket error', { message: error.message }));
    ws.on('close', () => {
      sockets.delete(ws);
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
