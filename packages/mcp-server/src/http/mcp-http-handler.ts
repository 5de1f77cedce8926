import { WebStandardStreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/webStandardStreamableHttp.js';
import { errorFields, type Logger } from '../logger.js';
import { createMcpServer } from '../server.js';
import type { ToolRegistry } from '../tool-registry.js';
import { json, jsonRpcError } from './json-response.js';
import { BodyTooLargeError, readBody } from './read-body.js';
import { isAllowedHost, isAllowedOrigin } from './request-guards.js';
import { createRequestAuth, type Grant } from './request-auth.js';
import { TOKEN_USER_KEY } from '../identity/resolve-caller.js';
import type { AuthInfo } from '@modelcontextprotocol/sdk/server/auth/types.js';
import type { OAuthConfig } from '../config.js';
import type { AccessTokenVerifier } from './jwt-verifier.js';

export interface HttpOptions {
  /** Host names (no port) the Host header may carry. */
  allowedHosts: readonly string[];
  /** Browser origins allowed besides loopback ones, e.g. `https://chat.example.com`. */
  allowedOrigins: readonly string[];
  /** When set, every /mcp request needs `Authorization: Bearer <token>`. */
  authToken?: string;
  /** When set, JWT access tokens of this issuer are accepted too (OAuth 2.1, see README). */
  oauth?: OAuthConfig;
  maxBodyBytes: number;
  requestTimeoutMs: number;
  /** Skip Host/Origin checks: API Gateway and Function URLs set Host themselves. */
  trustHost?: boolean;
}

export type FetchHandler = (request: Request) => Promise<Response>;

/**
 * The whole remote MCP endpoint as one web-standard handler (Request in, Response out), so
 * Node's http server and AWS Lambda are thin adapters around the same core. Stateless: each
 * POST gets a fresh MCP server and transport; the expensive parts live in the registry.
 */
export function createMcpHttpHandler(deps: {
  registry: ToolRegistry;
  logger: Logger;
  options: HttpOptions;
  /** Injected for tests; by default built from `options.oauth`. */
  verifier?: AccessTokenVerifier;
}): FetchHandler {
  const { registry, logger, options } = deps;
  const auth = createRequestAuth({
    ...(options.authToken && { authToken: options.authToken }),
    ...(options.oauth && { oauth: options.oauth }),
    ...(deps.verifier && { verifier: deps.verifier }),
    tools: registry.definitions,
    logger,
  });
  return async (request) => {
    const url = new URL(request.url);
    if (!options.trustHost && !isAllowedHost(request.headers.get('host'), options.allowedHosts)) {
      logger.warn('refused Host', { host: request.headers.get('host')?.slice(0, 100) });
      return jsonRpcError(
        403,
        -32000,
        'Forbidden: Host header is not allowed (DNS rebinding protection); add the host name to MCP_ALLOWED_HOSTS',
      );
    }
    if (!isAllowedOrigin(request.headers.get('origin'), options.allowedOrigins)) {
      logger.warn('refused Origin', { origin: request.headers.get('origin')?.slice(0, 100) });
      return jsonRpcError(
        403,
        -32000,
        'Forbidden: Origin is not allowed; add it to MCP_ALLOWED_ORIGINS',
      );
    }
    if (url.pathname === '/healthz') {
      return request.method === 'GET' || request.method === 'HEAD'
        ? json(200, { status: 'ok', tools: registry.definitions.length })
        : json(405, { error: 'use GET' }, { allow: 'GET' });
    }
    const metadata = auth.metadata(request, url.pathname);
    if (metadata) return metadata;
    if (url.pathname !== '/mcp') return json(404, { error: 'not found; the MCP endpoint is /mcp' });
    const grant = await auth.authenticate(request);
    if (grant instanceof Response) return grant;
    if (request.method !== 'POST') {
      return jsonRpcError(
        405,
        -32000,
        'Method not allowed: this server is stateless; send JSON-RPC with POST',
        { allow: 'POST' },
      );
    }
    let body: unknown;
    try {
      body = JSON.parse(await readBody(request, options.maxBodyBytes));
    } catch (error) {
      if (error instanceof BodyTooLargeError) {
        return jsonRpcError(
          413,
          -32600,
          `Request body is over the ${options.maxBodyBytes}-byte limit (MCP_MAX_BODY_BYTES)`,
        );
      }
      return jsonRpcError(400, -32700, 'Parse error: the body is not valid JSON');
    }
    const forbidden = auth.authorize(request, grant, body);
    if (forbidden) return forbidden;
    return withTimeout(
      handleMcp(request, body, registry, logger, grant),
      options.requestTimeoutMs,
      logger,
    );
  };
}

async function handleMcp(
  request: Request,
  body: unknown,
  registry: ToolRegistry,
  logger: Logger,
  grant: Grant,
): Promise<Response> {
  const server = createMcpServer({ registry, logger });
  const transport = new WebStandardStreamableHTTPServerTransport({
    sessionIdGenerator: undefined,
    enableJsonResponse: !prefersEventStream(request.headers.get('accept')),
  });
  transport.onerror = (error) =>
    logger.debug('transport refused a request', { message: error.message });
  await server.connect(transport);
  const release = (): void => void server.close().catch(() => undefined);
  try {
    const response = await transport.handleRequest(request, {
      parsedBody: body,
      ...(grant.kind === 'oauth' && { authInfo: tokenAuthInfo(grant) }),
    });
    if (!response.body || response.headers.get('content-type') !== 'text/event-stream') {
      // On the next turn: the SDK forgets the answered request a few microtasks after the
      // answer, and closing before that aborts its handler's signal (a DOMException per call).
      setImmediate(release);
      return response;
    }
    // SSE: close the per-request server once the stream has been fully sent.
    const closing = new TransformStream<Uint8Array, Uint8Array>({ flush: release });
    return new Response(response.body.pipeThrough(closing), response);
  } catch (error) {
    release();
    logger.error('MCP request failed', errorFields(error));
    return jsonRpcError(500, -32603, 'Internal error; the details are in the server log');
  }
}

/**
 * What an OAuth request's handlers see as `extra.authInfo`: its presence alone makes the request
 * the token's user (see `resolveCaller`), so a request let in by a token is never the operator.
 * The token itself stays here: handlers need the user, not the credential.
 */
function tokenAuthInfo(grant: Extract<Grant, { kind: 'oauth' }>): AuthInfo {
  return {
    token: '',
    clientId: '',
    scopes: [...grant.scopes],
    ...(grant.user && { extra: { [TOKEN_USER_KEY]: grant.user } }),
  };
}

/** JSON unless the client lists text/event-stream before application/json. */
function prefersEventStream(accept: string | null): boolean {
  const a = (accept ?? '').toLowerCase();
  const sse = a.indexOf('text/event-stream');
  const jsonAt = a.indexOf('application/json');
  return sse !== -1 && (jsonAt === -1 || sse < jsonAt);
}

async function withTimeout(work: Promise<Response>, ms: number, logger: Logger): Promise<Response> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<Response>((resolve) => {
    timer = setTimeout(() => {
      logger.warn('request timed out', { ms });
      resolve(
        jsonRpcError(
          504,
          -32001,
          `Request timed out after ${ms} ms (MCP_REQUEST_TIMEOUT_MS); the call may still complete, so read before retrying a write`,
        ),
      );
    }, ms);
  });
  try {
    return await Promise.race([work, timeout]);
  } finally {
    clearTimeout(timer);
  }
}
