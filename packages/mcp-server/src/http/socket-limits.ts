import { createServer, type RequestListener, type Server } from 'node:http';
import type { Socket } from 'node:net';

/** How long a socket may take at each stage, and how many may be open. */
export interface SocketLimits {
  /** An idle keep-alive connection is closed after this long. */
  keepAliveTimeoutMs: number;
  /**
   * Complete request headers must arrive within this long, also on a fresh connection: a socket
   * that sends nothing at all is answered 408 and closed after it too.
   */
  headersTimeoutMs: number;
  /** From the request line to the last byte of the body (the response time is not counted). */
  requestTimeoutMs: number;
  /** Most sockets open at once; more are closed on arrival. */
  maxConnections?: number;
  /**
   * Most HTTP sockets from one address (those not handed over, e.g. to a WebSocket). A new one
   * past it displaces that address's oldest socket with no request in progress, so a flood of
   * silent sockets cannot lock out a client that sends its request at once; if every socket of
   * the address is busy, the new one is closed.
   */
  maxPerAddress?: number;
}

/** What the limits track, for the transport that took over a socket and for tests. */
export interface SocketGuard {
  /** The socket is no longer an HTTP connection (an accepted upgrade): stop counting it. */
  handOver(socket: Socket): void;
  /** HTTP sockets open now, over all addresses. */
  readonly open: number;
  /** Sockets closed on arrival or displaced because their address was at its cap. */
  readonly refused: number;
}

/**
 * One rule for the HTTP servers of both packages (MCP over HTTP, the chat gateway's page and
 * WebSocket handshake).
 *
 * Node 20 does close a socket that never sends a byte: it counts as a request whose headers
 * are late. But it checks only every `connectionsCheckingInterval` (30 s by default), so with
 * a 10 s header timeout silent sockets lived 10-40 s, long enough to pile up by the thousand.
 * The check runs every second here (at most a quarter of the header timeout), and a fresh
 * socket has its own idle timer until its first request.
 */
export function createLimitedServer(
  limits: SocketLimits,
  listener?: RequestListener,
): { server: Server; sockets: SocketGuard } {
  const server = createServer({
    connectionsCheckingInterval: Math.min(1_000, Math.ceil(limits.headersTimeoutMs / 4)),
    headersTimeout: limits.headersTimeoutMs,
    requestTimeout: Math.max(limits.requestTimeoutMs, limits.headersTimeoutMs),
  });
  server.keepAliveTimeout = limits.keepAliveTimeoutMs;
  if (limits.maxConnections !== undefined) server.maxConnections = limits.maxConnections;
  const bySource = new Map<string, Set<Socket>>();
  const busy = new WeakSet<Socket>();
  // Kept from arrival: a closed socket no longer knows its remote address.
  const addressOf = new WeakMap<Socket, string>();
  let open = 0;
  let refused = 0;
  const release = (socket: Socket): void => {
    const address = addressOf.get(socket);
    const sockets = address === undefined ? undefined : bySource.get(address);
    if (!sockets?.delete(socket)) return;
    open -= 1;
    if (sockets.size === 0) bySource.delete(address as string);
  };

  server.on('connection', (socket: Socket) => {
    const address = socket.remoteAddress ?? '';
    let sockets = bySource.get(address);
    if (!sockets) bySource.set(address, (sockets = new Set()));
    if (limits.maxPerAddress !== undefined && sockets.size >= limits.maxPerAddress) {
      refused += 1;
      // A Set iterates in insertion order: the first idle one is the oldest.
      const idle = [...sockets].find((s) => !busy.has(s));
      if (!idle) {
        socket.destroy();
        return;
      }
      release(idle);
      idle.destroy();
    }
    sockets.add(socket);
    addressOf.set(socket, address);
    open += 1;
    socket.once('close', () => release(socket));
    // Until its first request: closed without a word when it stays silent (Node's own check would
    // answer 408, up to a check interval later).
    socket.setTimeout(limits.headersTimeoutMs, () => socket.destroy());
  });
  server.on('request', (req, res) => {
    const socket = req.socket;
    socket.setTimeout(0);
    busy.add(socket);
    res.once('close', () => busy.delete(socket));
  });

  // After the tracking above, so that a request is marked busy before it is handled.
  if (listener) server.on('request', listener);
  const guard: SocketGuard = {
    handOver: release,
    get open() {
      return open;
    },
    get refused() {
      return refused;
    },
  };
  return { server, sockets: guard };
}
