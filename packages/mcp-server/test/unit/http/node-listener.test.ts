import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { toNodeListener } from '../../../src/http/node-listener.js';

let server: Server | undefined;
afterEach(async () => {
  server?.closeAllConnections();
  await new Promise((resolve) => server?.close(resolve) ?? resolve(undefined));
  server = undefined;
});

async function serve(handler: (request: Request) => Promise<Response>): Promise<string> {
  server = createServer(toNodeListener(handler, () => undefined));
  await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}/mcp`;
}

describe('toNodeListener: the request signal', () => {
  it('stays unaborted once the response has been sent', async () => {
    const signals: AbortSignal[] = [];
    const url = await serve((request) => {
      signals.push(request.signal);
      return Promise.resolve(new Response('{"ok":true}', { status: 200 }));
    });
    for (let i = 0; i < 3; i++) {
      const response = await fetch(url, { method: 'POST', body: '{}' });
      expect(await response.text()).toBe('{"ok":true}');
    }
    // The connection closes after the answer: wait until the server has seen it go.
    server!.closeAllConnections();
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(signals).toHaveLength(3);
    expect(signals.map((s) => s.aborted)).toEqual([false, false, false]);
  });

  it('aborts when the client goes away before the answer', async () => {
    let signal: AbortSignal | undefined;
    const aborted = new Promise<void>((resolve) => {
      void serve((request) => {
        signal = request.signal;
        request.signal.addEventListener('abort', () => resolve());
        return new Promise<Response>(() => undefined); // never answers
      }).then(async (url) => {
        const client = new AbortController();
        const pending = fetch(url, { method: 'POST', body: '{}', signal: client.signal });
        pending.catch(() => undefined);
        await new Promise((r) => setTimeout(r, 200));
        client.abort();
      });
    });
    await aborted;
    expect(signal?.aborted).toBe(true);
  }, 20_000);
});

describe('toNodeListener: the response', () => {
  it('sends a JSON body whole, with its Content-Length (not chunked)', async () => {
    const body = JSON.stringify({ jsonrpc: '2.0', id: 1, result: { text: 'é'.repeat(1000) } });
    const url = await serve(() =>
      Promise.resolve(
        new Response(body, { status: 200, headers: { 'content-type': 'application/json' } }),
      ),
    );
    const response = await fetch(url, { method: 'POST', body: '{}' });
    expect(response.headers.get('content-length')).toBe(String(Buffer.byteLength(body)));
    expect(response.headers.get('transfer-encoding')).toBeNull();
    expect(await response.text()).toBe(body);
  });

  it('streams an event stream as it comes', async () => {
    let push: ((text: string) => void) | undefined;
    const url = await serve(() => {
      const stream = new ReadableStream<Uint8Array>({
        start(controller) {
          push = (text) => controller.enqueue(new TextEncoder().encode(text));
        },
      });
      return Promise.resolve(
        new Response(stream, { status: 200, headers: { 'content-type': 'text/event-stream' } }),
      );
    });
    const pending = fetch(url, { method: 'POST', body: '{}' });
    while (!push) await new Promise((resolve) => setTimeout(resolve, 10));
    // Headers go out with the first event; the stream itself stays open.
    push('data: first\n\n');
    const response = await pending;
    expect(response.headers.get('content-length')).toBeNull();
    const reader = (response.body as ReadableStream<Uint8Array>).getReader();
    const first = await reader.read();
    expect(new TextDecoder().decode(first.value)).toBe('data: first\n\n');
    await reader.cancel();
  }, 20_000);
});
