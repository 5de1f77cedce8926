import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';

/** A Lambda handler as the Node.js runtime calls it (the context is not used here). */
export type LambdaHandler = (event: never) => Promise<unknown>;

/** The request payload limit of a buffered Function URL / synchronous invoke (6 MB). */
export const MAX_INVOKE_PAYLOAD_BYTES = 6_291_456;

/**
 * A local emulator of a Lambda Function URL (the same payload v2 as API Gateway HTTP API) on
 * 127.0.0.1: real HTTP requests in, payload v2 events to `handler`, its result back as the
 * HTTP response, following the AWS documentation of the format. What it does not emulate: IAM
 * auth, CORS settings, response streaming, and the 6 MB limit is applied to the body only.
 */
export interface LambdaUrlEmulator {
  /** e.g. `http://127.0.0.1:41234`; the MCP endpoint is `${url}/mcp`. */
  url: string;
  /** Every event handed to the handler, oldest first. */
  events: APIGatewayProxyEventV2[];
  close(): Promise<void>;
}

export async function startLambdaUrlEmulator(handler: LambdaHandler): Promise<LambdaUrlEmulator> {
  const events: APIGatewayProxyEventV2[] = [];
  const server = createServer((req, res) => {
    void serve(req, res).catch(() => res.destroy());
  });

  async function serve(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const body = await readAll(req);
    if (body.length > MAX_INVOKE_PAYLOAD_BYTES) {
      return send(res, 413, {
        message: `Request must be smaller than ${MAX_INVOKE_PAYLOAD_BYTES} bytes for the InvokeFunction operation`,
      });
    }
    const event = toEvent(req, body);
    events.push(event);
    let result: unknown;
    try {
      result = await handler(event as never);
    } catch {
      // A function error reaches the caller of a Function URL as a bare 502.
      return send(res, 502, { message: 'Internal Server Error' });
    }
    writeResult(res, result);
  }

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    events,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

function toEvent(req: IncomingMessage, body: Buffer): APIGatewayProxyEventV2 {
  const url = new URL(req.url ?? '/', 'http://emulator');
  const headers: Record<string, string> = {};
  let cookies: string[] | undefined;
  for (let i = 0; i < req.rawHeaders.length; i += 2) {
    const name = (req.rawHeaders[i] ?? '').toLowerCase();
    const value = req.rawHeaders[i + 1] ?? '';
    if (name === 'cookie') {
      cookies = [...(cookies ?? []), ...value.split(/;\s*/)];
      continue;
    }
    headers[name] = headers[name] === undefined ? value : `${headers[name]},${value}`;
  }
  const query: Record<string, string> = {};
  for (const [name, value] of url.searchParams)
    query[name] = query[name] === undefined ? value : `${query[name]},${value}`;
  const text = isTextual(headers['content-type']);
  const host = headers.host ?? 'localhost';
  const now = new Date();
  const method = req.method ?? 'GET';
  return {
    version: '2.0',
    routeKey: '$default',
    rawPath: url.pathname,
    rawQueryString: url.search.slice(1),
    ...(cookies && { cookies }),
    headers,
    ...(url.search && { queryStringParameters: query }),
    requestContext: {
      accountId: 'anonymous',
      apiId: 'emulator',
      domainName: host.replace(/:\d+$/, ''),
      domainPrefix: host.split('.')[0] ?? host,
      http: {
        method,
        path: url.pathname,
        protocol: `HTTP/${req.httpVersion}`,
        sourceIp: req.socket.remoteAddress ?? '127.0.0.1',
        userAgent: headers['user-agent'] ?? '',
      },
      requestId: randomUUID(),
      routeKey: '$default',
      stage: '$default',
      time: now.toUTCString(),
      timeEpoch: now.getTime(),
    },
    ...(body.length > 0 && { body: text ? body.toString('utf8') : body.toString('base64') }),
    isBase64Encoded: body.length > 0 && !text,
  };
}

/** Function URLs pass text bodies as is and base64-encode everything else. */
function isTextual(contentType: string | undefined): boolean {
  const type = (contentType ?? '').split(';')[0]?.trim().toLowerCase() ?? '';
  return (
    type.startsWith('text/') ||
    /^application\/([\w.+-]+\+)?(json|xml)$/.test(type) ||
    type === 'application/x-www-form-urlencoded'
  );
}

function writeResult(res: ServerResponse, result: unknown): void {
  // A result without statusCode is sent as a 200 JSON body, as Function URLs do.
  if (typeof result !== 'object' || result === null || !('statusCode' in result)) {
    return send(res, 200, result ?? null);
  }
  const r = result as APIGatewayProxyStructuredResultV2;
  const headers: Record<string, string | string[]> = {};
  for (const [name, value] of Object.entries(r.headers ?? {})) headers[name] = String(value);
  if (r.cookies?.length) headers['set-cookie'] = r.cookies;
  const body =
    r.body === undefined ? '' : r.isBase64Encoded ? Buffer.from(r.body, 'base64') : r.body;
  res.writeHead(r.statusCode ?? 200, headers);
  res.end(body);
}

function send(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify(body));
}

async function readAll(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}
