/**
 * A LOCAL EMULATOR of an API Gateway WebSocket API on 127.0.0.1, for the Lambda handlers:
 * - the upgrade runs the REQUEST authorizer (Deny → HTTP 403 before the handshake), then the
 *   `$connect` handler (non-2xx → that status); frames run `$default`; a close runs
 *   `$disconnect`; each event shaped as API Gateway sends it (requestContext.routeKey,
 *   eventType, connectionId, domainName, stage, identity.sourceIp, headers, query string, and
 *   the authorizer's `principalId` and `context` as `requestContext.authorizer` on every route);
 * - a `Sec-WebSocket-Protocol` header in the `$connect` result is the handshake's answer; a
 *   client that offered subprotocols gets none otherwise (browsers then fail the socket);
 * - the management API, `POST | GET | DELETE /{stage}/@connections/{id}`, for the real
 *   `@aws-sdk/client-apigatewaymanagementapi`: a POST body is one text frame to that socket;
 *   an unknown or closed connection is 410 `GoneException`; over 128 KB is 413.
 * Like API Gateway, nothing can be posted to a connection before `$connect` has returned.
 * Signatures are not checked.
 */
import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { APIGatewayAuthorizerResult, APIGatewayRequestAuthorizerEvent } from 'aws-lambda';
import { WebSocketServer, type WebSocket } from 'ws';
import type { WebSocketEvent, WebSocketResult } from '../../src/transports/lambda/ws-events.js';

export interface EmulatorHandlers {
  authorizer: (event: APIGatewayRequestAuthorizerEvent) => Promise<APIGatewayAuthorizerResult>;
  routes: (event: WebSocketEvent) => Promise<WebSocketResult>;
  /**
   * Custom routes by key: like the API's route selection expression `$request.body.action`
   * (CDK's default), a JSON frame whose `action` names one goes there instead of `$default`.
   */
  actions?: Record<string, (event: WebSocketEvent) => Promise<WebSocketResult>>;
}

export interface ManagementCall {
  method: string;
  connectionId: string;
  status: number;
  bytes: number;
}

export interface ApiGatewayWebSocketEmulator {
  /** `ws://127.0.0.1:{port}/{stage}` */
  wsUrl: string;
  /** The stage callback URL for WS_MANAGEMENT_ENDPOINT. */
  managementEndpoint: string;
  /** Every management API call, in order. */
  calls: ManagementCall[];
  /** Connection ids whose `$connect` succeeded, in order. */
  connected: string[];
  /** Resolves when every `$disconnect` so far has returned. */
  settled(): Promise<void>;
  close(): Promise<void>;
}

const MAX_FRAME_BYTES = 128 * 1024;
const ACCOUNT = '123456789012';
const API_ID = 'emulated01';

export async function startApiGatewayWebSocketEmulator(
  handlers: EmulatorHandlers,
  stage = 'prod',
): Promise<ApiGatewayWebSocketEmulator> {
  const sockets = new Map<string, WebSocket>();
  const calls: ManagementCall[] = [];
  const connected: string[] = [];
  const pending = new Set<Promise<unknown>>();
  const track = <T>(p: Promise<T>): Promise<T> => {
    pending.add(p);
    void p.finally(() => pending.delete(p)).catch(() => undefined);
    return p;
  };
  const chosenProtocol = new WeakMap<IncomingMessage, string>();
  const wss = new WebSocketServer({
    noServer: true,
    maxPayload: MAX_FRAME_BYTES,
    handleProtocols: (_offered, req) => chosenProtocol.get(req) ?? false,
  });
  const authorizerContexts = new WeakMap<IncomingMessage, Record<string, unknown>>();
  const server = createServer((req, res) => void manage(req, res).catch(() => res.destroy()));
  let domainName = '';
  let closing = false;

  const context = (
    routeKey: string,
    eventType: 'CONNECT' | 'MESSAGE' | 'DISCONNECT',
    connectionId: string,
    req: IncomingMessage,
  ) => ({
    routeKey,
    eventType,
    connectionId,
    domainName,
    stage,
    apiId: API_ID,
    requestId: randomBytes(8).toString('hex'),
    connectedAt: Date.now(),
    identity: {
      sourceIp: req.socket.remoteAddress ?? '127.0.0.1',
      userAgent: req.headers['user-agent'] ?? '',
    },
    ...(authorizerContexts.has(req) && { authorizer: authorizerContexts.get(req) }),
  });

  server.on('upgrade', (req, socket, head) => {
    void (async () => {
      const url = new URL(req.url ?? '/', 'http://emulator');
      if (url.pathname !== `/${stage}`) return refuse(socket, 404, 'Not Found');
      const connectionId = newConnectionId();
      const headers = Object.fromEntries(
        Object.entries(req.headers).map(([k, v]) => [k, Array.isArray(v) ? v.join(',') : v]),
      );
      const query = Object.fromEntries(url.searchParams);
      const methodArn = `arn:aws:execute-api:us-east-1:${ACCOUNT}:${API_ID}/${stage}/$connect`;
      let allowed = false;
      try {
        const result = await handlers.authorizer({
          type: 'REQUEST',
          methodArn,
          headers,
          queryStringParameters: query,
          requestContext: context('$connect', 'CONNECT', connectionId, req),
        } as unknown as APIGatewayRequestAuthorizerEvent);
        allowed = result.policyDocument.Statement.some((s) => s.Effect === 'Allow');
        if (allowed)
          authorizerContexts.set(req, { principalId: result.principalId, ...result.context });
      } catch {
        return refuse(socket, 500, 'Internal Server Error');
      }
      if (!allowed) return refuse(socket, 403, 'Forbidden');
      const result = await track(
        handlers.routes({
          requestContext: context('$connect', 'CONNECT', connectionId, req),
          headers,
          queryStringParameters: query,
          isBase64Encoded: false,
        }),
      );
      if (result.statusCode < 200 || result.statusCode > 299)
        return refuse(socket, result.statusCode, 'Refused');
      const answer = Object.entries(result.headers ?? {}).find(
        ([k]) => k.toLowerCase() === 'sec-websocket-protocol',
      )?.[1];
      if (answer) chosenProtocol.set(req, answer);
      wss.handleUpgrade(req, socket, head, (ws) => {
        sockets.set(connectionId, ws);
        connected.push(connectionId);
        ws.on('message', (data, isBinary) => {
          const raw = Buffer.isBuffer(data) ? data : Buffer.concat(data as Buffer[]);
          const action = isBinary ? undefined : actionOf(raw.toString('utf8'));
          const custom = action === undefined ? undefined : handlers.actions?.[action];
          void track(
            (custom ?? handlers.routes)({
              requestContext: context(custom ? action! : '$default', 'MESSAGE', connectionId, req),
              body: isBinary ? raw.toString('base64') : raw.toString('utf8'),
              isBase64Encoded: isBinary,
            }),
          );
        });
        ws.on('close', () => {
          sockets.delete(connectionId);
          if (!closing)
            void track(
              handlers.routes({
                requestContext: context('$disconnect', 'DISCONNECT', connectionId, req),
              }),
            );
        });
      });
    })().catch(() => socket.destroy());
  });

  async function manage(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const match = new RegExp(`^(?:/${stage})?/@connections/([^/]+)$`).exec(
      new URL(req.url ?? '/', 'http://x').pathname,
    );
    const body = await readAll(req);
    if (!match?.[1]) return reply(res, 404, 'NotFoundException', 'No method found matching route');
    const connectionId = decodeURIComponent(match[1]);
    const ws = sockets.get(connectionId);
    const record = (status: number): void =>
      void calls.push({ method: req.method ?? '', connectionId, status, bytes: body.length });
    if (!ws || ws.readyState !== ws.OPEN) {
      record(410);
      return reply(res, 410, 'GoneException', null);
    }
    if (req.method === 'POST') {
      if (body.length > MAX_FRAME_BYTES) {
        record(413);
        return reply(res, 413, 'PayloadTooLargeException', 'Message too long');
      }
      ws.send(body.toString('utf8'));
      record(200);
      return reply(res, 200);
    }
    if (req.method === 'DELETE') {
      ws.close(1000, 'Going away');
      sockets.delete(connectionId);
      record(204);
      return reply(res, 204);
    }
    if (req.method === 'GET') {
      record(200);
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(
        JSON.stringify({
          ConnectedAt: new Date().toISOString(),
          Identity: { SourceIp: '127.0.0.1' },
          LastActiveAt: new Date().toISOString(),
        }),
      );
      return;
    }
    return reply(res, 404, 'NotFoundException', 'No method found matching route');
  }

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  domainName = `127.0.0.1:${port}`;
  return {
    wsUrl: `ws://127.0.0.1:${port}/${stage}`,
    managementEndpoint: `http://127.0.0.1:${port}/${stage}`,
    calls,
    connected,
    async settled() {
      while (pending.size > 0) await Promise.allSettled([...pending]);
    },
    close: () =>
      new Promise<void>((resolve) => {
        closing = true;
        for (const ws of sockets.values()) ws.terminate();
        wss.close();
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** API Gateway's ids look like `L0SM9cOFvHcCIhw=`: base64, so the SDK must encode them. */
function newConnectionId(): string {
  return randomBytes(10).toString('base64').replace(/[+/]/g, 'x');
}

function refuse(socket: import('node:stream').Duplex, status: number, text: string): void {
  socket.end(
    `HTTP/1.1 ${status} ${text}\r\ncontent-type: application/json\r\nconnection: close\r\n\r\n${JSON.stringify({ message: text })}`,
  );
}

function reply(
  res: ServerResponse,
  status: number,
  errorType?: string,
  message?: string | null,
): void {
  const headers: Record<string, string> = {
    'content-type': 'application/json',
    'x-amzn-requestid': randomBytes(8).toString('hex'),
  };
  if (errorType) headers['x-amzn-ErrorType'] = errorType;
  res.writeHead(status, headers);
  res.end(errorType ? JSON.stringify({ message: message ?? null }) : '');
}

async function readAll(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

/** The `action` of a JSON object frame, as `$request.body.action` selects it. */
function actionOf(text: string): string | undefined {
  try {
    const body: unknown = JSON.parse(text);
    const action = (body as { action?: unknown } | null)?.action;
    return typeof action === 'string' ? action : undefined;
  } catch {
    return undefined;
  }
}
