import type { IncomingMessage, ServerResponse } from 'node:http';
import { Readable } from 'node:stream';
import type { FetchHandler } from './mcp-http-handler.js';

/** Adapts a web-standard handler to Node's http server (the way Hono's node adapter does). */
export function toNodeListener(
  handler: FetchHandler,
  onError: (error: unknown) => void,
): (req: IncomingMessage, res: ServerResponse) => void {
  return (req, res) => {
    // Node keeps the first of several Host headers; a request must carry exactly one.
    if (countHeader(req.rawHeaders, 'host') !== 1) {
      res.writeHead(400, { 'content-type': 'application/json', connection: 'close' });
      res.end(JSON.stringify({ error: 'a request needs exactly one Host header' }));
      return;
    }
    const controller = abortOnEarlyClose(res);
    const headers = new Headers();
    for (const [name, value] of Object.entries(req.headers)) {
      if (Array.isArray(value)) value.forEach((v) => headers.append(name, v));
      else if (value !== undefined) headers.set(name, value);
    }
    const hasBody = req.method !== 'GET' && req.method !== 'HEAD';
    let request: Request;
    try {
      // The URL's host is fixed: the Host header is checked by the handler, not trusted here.
      request = new Request(`http://localhost${req.url ?? '/'}`, {
        method: req.method ?? 'GET',
        headers,
        signal: controller.signal,
        ...(hasBody && { body: Readable.toWeb(req), duplex: 'half' }),
      });
    } catch {
      res.writeHead(400, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ error: 'malformed request line or headers' }));
      return;
    }
    handler(request)
      .then(async (response) => {
        const headers = Object.fromEntries(response.headers);
        // A request body left unread (refused before or while reading it) makes the connection
        // unusable for the next request; without this a keep-alive client reuses it and fails.
        if (!req.complete) headers.connection = 'close';
        if (response.body && headers['content-type'] !== 'text/event-stream') {
          return writeWhole(res, response, headers);
        }
        res.writeHead(response.status, headers);
        if (!response.body) return void res.end();
        for await (const chunk of response.body as unknown as AsyncIterable<Uint8Array>) {
          res.write(chunk);
        }
        res.end();
      })
      .catch((error: unknown) => {
        onError(error);
        if (!res.headersSent) res.writeHead(500, { 'content-type': 'application/json' });
        res.end();
      });
  };
}

/**
 * A body that is not an event stream is complete when the handler returns: sent in one write
 * with its Content-Length, instead of chunk by chunk through the stream's async iterator.
 */
async function writeWhole(
  res: ServerResponse,
  response: Response,
  headers: Record<string, string>,
): Promise<void> {
  const body = Buffer.from(await response.arrayBuffer());
  res.writeHead(response.status, { ...headers, 'content-length': String(body.length) });
  res.end(body);
}

/**
 * A signal for the request that aborts when the connection closes before the response was
 * sent, not after every response: an abort builds a DOMException with a stack, about 0.1 ms a
 * request for nothing once the answer is out.
 */
function abortOnEarlyClose(res: ServerResponse): AbortController {
  const controller = new AbortController();
  res.on('close', () => {
    if (!res.writableFinished) controller.abort();
  });
  return controller;
}

function countHeader(raw: readonly string[], name: string): number {
  let count = 0;
  for (let i = 0; i < raw.length; i += 2) if (raw[i]?.toLowerCase() === name) count++;
  return count;
}
