import { request as httpRequest, type IncomingHttpHeaders } from 'node:http';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { LATEST_PROTOCOL_VERSION } from '@modelcontextprotocol/sdk/types.js';

/** The headers a Streamable HTTP client sends with every POST. */
export const MCP_HEADERS = {
  'content-type': 'application/json',
  accept: 'application/json, text/event-stream',
} as const;

export interface RawResponse {
  status: number;
  headers: Headers;
  text: string;
  /** The body parsed as JSON, or as the JSON of its SSE `data:` lines; undefined if neither. */
  body: unknown;
}

/** POSTs `body` (a string is sent as is) to `url` with real HTTP and reads the whole answer. */
export async function post(
  url: string,
  body: unknown,
  headers: Record<string, string> = {},
): Promise<RawResponse> {
  const response = await fetch(url, {
    method: 'POST',
    headers: { ...MCP_HEADERS, ...headers },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
  return read(response);
}

export async function read(response: Response): Promise<RawResponse> {
  const text = await response.text();
  return {
    status: response.status,
    headers: response.headers,
    text,
    body: parseBody(text, response.headers),
  };
}

function parseBody(text: string, headers: Headers): unknown {
  try {
    if (headers.get('content-type')?.startsWith('text/event-stream')) {
      const messages = sseData(text).map((data) => JSON.parse(data) as unknown);
      return messages.length === 1 ? messages[0] : messages;
    }
    return text ? (JSON.parse(text) as unknown) : undefined;
  } catch {
    return undefined;
  }
}

/** The `data:` payloads of an SSE body, one per event. */
export function sseData(text: string): string[] {
  return text
    .split(/\r?\n\r?\n/)
    .map((event) =>
      event
        .split(/\r?\n/)
        .filter((line) => line.startsWith('data:'))
        .map((line) => line.slice(5).trimStart())
        .join('\n'),
    )
    .filter((data) => data !== '');
}

let nextId = 1;

/** A JSON-RPC request object. */
export function request(
  method: string,
  params?: unknown,
  id: number | string = nextId++,
): Record<string, unknown> {
  return { jsonrpc: '2.0', id, method, ...(params !== undefined && { params }) };
}

export function initializeRequest(id: number | string = nextId++): Record<string, unknown> {
  return request(
    'initialize',
    {
      protocolVersion: LATEST_PROTOCOL_VERSION,
      capabilities: {},
      clientInfo: { name: 'raw-http-test', version: '0.0.0' },
    },
    id,
  );
}

export function toolCall(
  name: string,
  args: unknown,
  id: number | string = nextId++,
): Record<string, unknown> {
  return request('tools/call', { name, arguments: args }, id);
}

export interface HttpClientOptions {
  token?: string;
  /** Extra headers on every request (the SDK still sets Accept and Content-Type itself). */
  headers?: Record<string, string>;
  fetch?: typeof fetch;
}

/** The official SDK client over `StreamableHTTPClientTransport`, connected (initialize done). */
export async function connectHttpClient(
  url: string,
  options: HttpClientOptions = {},
): Promise<Client> {
  const headers = {
    ...options.headers,
    ...(options.token && { authorization: `Bearer ${options.token}` }),
  };
  const transport = new StreamableHTTPClientTransport(new URL(url), {
    requestInit: { headers },
    ...(options.fetch && { fetch: options.fetch }),
  });
  const client = new Client({ name: 'http-transport-test', version: '0.0.0' });
  await client.connect(transport);
  return client;
}

/** A fetch that lists text/event-stream first in Accept, which asks this server for SSE. */
export const preferSseFetch: typeof fetch = (input, init) => {
  const headers = new Headers(init?.headers);
  if (headers.get('accept')?.includes('application/json')) {
    headers.set('accept', 'text/event-stream, application/json');
  }
  return fetch(input, { ...init, headers });
};

/**
 * One request with `node:http`, which (unlike fetch) sends the Host header it is given: for
 * DNS-rebinding checks. Resolves with the status, headers and body text.
 */
export function rawHttp(
  url: string,
  options: { method?: string; headers?: Record<string, string>; body?: string },
): Promise<{ status: number; headers: IncomingHttpHeaders; text: string }> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(
      url,
      { method: options.method ?? 'GET', headers: options.headers ?? {} },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => (text += chunk));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, text }));
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(options.body);
  });
}
