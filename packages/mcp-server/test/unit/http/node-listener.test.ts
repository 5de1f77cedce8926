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
