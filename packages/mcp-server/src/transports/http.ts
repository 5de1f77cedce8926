import type { AddressInfo } from 'node:net';
import { isLoopbackAddress, type HttpServerConfig } from '../config.js';
import { createMcpHttpHandler } from '../http/mcp-http-handler.js';
import { toNodeListener } from '../http/node-listener.js';
import { createLimitedServer } from '../http/socket-limits.js';
import { errorFields, type Logger } from '../logger.js';
import type { Runtime } from '../runtime.js';

/** How long a SIGTERM waits for in-flight calls before closing anyway. */
const DRAIN_MS = 10_000;

export interface RunningHttpServer {
  url: string;
  /** Stops accepting, lets in-flight requests finish (up to 10 s), then resolves. */
  close(): Promise<void>;
}

/** Serves MCP over Streamable HTTP (stateless) at /mcp, plus GET /healthz. */
export async function startHttpServer(
  runtime: Runtime,
  logger: Logger,
  config: HttpServerConfig,
): Promise<RunningHttpServer> {
  const handle = createMcpHttpHandler({ registry: runtime.registry, logger, options: config });
  const listener = toNodeListener(handle, (e) =>
    logger.error('HTTP response failed', errorFields(e)),
  );
  // A request counts until its response has been written out (or its connection dropped), not
  // until the handler returns: SSE bodies and even JSON bodies are written after that.
  let inFlight = 0;
  let drained: (() => void) | undefined;
  const { server } = createLimitedServer(
    {
      keepAliveTimeoutMs: config.keepAliveTimeoutMs,
      headersTimeoutMs: config.headersTimeoutMs,
      // A Content-Length that never arrives holds its socket no longer than this.
      requestTimeoutMs: config.bodyTimeoutMs,
      maxConnections: config.maxConnections,
    },
    (req, res) => {
      inFlight++;
      res.once('close', () => {
        if (--inFlight === 0) drained?.();
      });
      listener(req, res);
    },
  );
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(config.port, config.host, () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  const host = config.host.includes(':') ? `[${config.host}]` : config.host;
  const url = `http://${host}:${port}/mcp`;
  logger.info('serving MCP over HTTP', {
    url,
    auth: Boolean(config.authToken),
    ...(config.oauth && { oauthIssuer: config.oauth.issuer }),
  });
  if (!config.authToken && !config.oauth && !isLoopbackAddress(config.host)) {
    logger.warn(
      `NO AUTHENTICATION: ${url} is reachable from other machines and accepts every request (--no-auth / MCP_ALLOW_NO_AUTH); anyone who can connect can read and change the records. Set MCP_AUTH_TOKEN (or MCP_OAUTH_ISSUER) unless a proxy in front authenticates every request.`,
    );
  }
  return {
    url,
    close: async () => {
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeIdleConnections();
      if (inFlight > 0) {
        await Promise.race([
          new Promise<void>((resolve) => (drained = resolve)),
          new Promise<void>((resolve) => setTimeout(resolve, DRAIN_MS).unref()),
        ]);
      }
      server.closeAllConnections();
      await closed;
    },
  };
}

/** Runs until SIGTERM or SIGINT, then shuts down gracefully. */
export async function serveHttp(
  runtime: Runtime,
  logger: Logger,
  config: HttpServerConfig,
): Promise<void> {
  const running = await startHttpServer(runtime, logger, config);
  await new Promise<void>((resolve) => {
    process.once('SIGTERM', resolve);
    process.once('SIGINT', resolve);
  });
  logger.info('shutting down: finishing in-flight requests');
  await running.close();
}
