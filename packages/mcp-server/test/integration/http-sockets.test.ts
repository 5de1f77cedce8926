import { connect, type Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadHttpConfig } from '../../src/config.js';
import { ConfigError } from '../../src/errors.js';
import { isAllowedHost, parseHost } from '../../src/http/request-guards.js';
import { startTestHttpServer, type TestHttpServer } from '../support/http-server.js';

/**
 * The HTTP transport against raw sockets on 127.0.0.1: strict Host parsing, and timeouts and a
 * connection cap so that idle or stalled sockets cannot pile up. The timeouts are shortened
 * here (the defaults are 5 s keep-alive, 10 s headers, 10 s body).
 */

const TIMEOUTS = { keepAliveTimeoutMs: 300, headersTimeoutMs: 800, bodyTimeoutMs: 800 };

let server: TestHttpServer;
let port: number;

beforeAll(async () => {
  server = await startTestHttpServer({ http: { ...TIMEOUTS, maxConnections: 4 } });
  port = Number(new URL(server.origin).port);
});
afterAll(() => server.close());

function open(): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1', () => resolve(socket));
    socket.once('error', reject);
  });
}

/** Everything the server sends until it closes the socket, and how long that took. */
function untilClosed(socket: Socket): Promise<{ text: string; ms: number }> {
  const started = Date.now();
  return new Promise((resolve) => {
    let text = '';
    socket.on('data', (d: Buffer) => (text += d.toString('latin1')));
    socket.on('error', () => undefined);
    socket.on('close', () => resolve({ text, ms: Date.now() - started }));
  });
}

/** One request on a fresh socket that asks to be closed after the response; the whole answer. */
async function exchange(raw: string): Promise<string> {
  const socket = await open();
  const closed = untilClosed(socket);
  socket.write(raw.replace(/\r\n\r\n$/, '\r\nConnection: close\r\n\r\n'));
  return (await closed).text;
}

const get = (...headers: string[]): string =>
  `GET /healthz HTTP/1.1\r\n${headers.map((h) => `${h}\r\n`).join('')}\r\n`;

describe('Host header, parsed strictly', () => {
  it.each([
    'localhost:3000@evil.com',
    'user@localhost',
    '[::1].evil.com',
    'localhost.evil.com',
    'localhost:99999',
    'localhost:',
    'localhost, evil.com',
    'local host',
    '[::1',
    'evil.com',
  ])('refuses Host: %s with 403', async (host) => {
    expect(await exchange(get(`Host: ${host}`))).toMatch(/^HTTP\/1\.1 403 /);
  });

  it.each(['localhost', 'LOCALHOST:3000', '127.0.0.1:8080', '[::1]:3000', '[::1]'])(
    'accepts Host: %s',
    async (host) => {
      expect(await exchange(get(`Host: ${host}`))).toMatch(/^HTTP\/1\.1 200 /);
    },
  );

  it('refuses two Host headers (even two allowed ones) and none with 400', async () => {
    expect(await exchange(get('Host: localhost', 'Host: evil.com'))).toMatch(/^HTTP\/1\.1 400 /);
    expect(await exchange(get('Host: localhost', 'Host: localhost'))).toMatch(/^HTTP\/1\.1 400 /);
    expect(await exchange('GET /healthz HTTP/1.0\r\n\r\n')).toMatch(/^HTTP\/1\.1 400 /);
  });

  it('MCP_ALLOWED_HOSTS entries are parsed as strictly as Host headers', () => {
    expect(
      loadHttpConfig({ MCP_ALLOWED_HOSTS: 'Chat.Example.com:443, [::2]' }).allowedHosts,
    ).toEqual(expect.arrayContaining(['chat.example.com', '[::2]']));
    for (const bad of ['user@chat.example.com', '[::1].evil.com', 'a b'])
      expect(() => loadHttpConfig({ MCP_ALLOWED_HOSTS: bad })).toThrow(/^MCP_ALLOWED_HOSTS: /);
  });

  it('parseHost takes a host and an optional port, nothing else', () => {
    expect(parseHost('[::1]:3000')).toEqual({ name: '[::1]', port: 3000 });
    expect(parseHost('Example.COM')).toEqual({ name: 'example.com' });
    expect(isAllowedHost('localhost:3000@evil.com', ['localhost', 'evil.com'])).toBe(false);
  });
});

describe('idle and stalled sockets are closed', () => {
  it('closes an idle keep-alive connection after keepAliveTimeout', async () => {
    const socket = await open();
    const closed = untilClosed(socket);
    socket.write(get('Host: localhost', 'Connection: keep-alive'));
    const { text, ms } = await closed;
    expect(text).toMatch(/^HTTP\/1\.1 200 /);
    expect(ms).toBeLessThan(TIMEOUTS.keepAliveTimeoutMs + 2_000);
  });

  it('closes a connection that never sends a request', async () => {
    const { text, ms } = await untilClosed(await open());
    expect(text).toBe('');
    expect(ms).toBeLessThan(TIMEOUTS.headersTimeoutMs + 2_000);
  });

  it('closes a request whose body never arrives in full (408)', async () => {
    const socket = await open();
    const closed = untilClosed(socket);
    socket.write(
      'POST /mcp HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n' +
        'Accept: application/json, text/event-stream\r\nContent-Length: 1000\r\n\r\n{"jsonrpc":',
    );
    const { ms } = await closed;
    expect(ms).toBeLessThan(TIMEOUTS.bodyTimeoutMs + 2_000);
  });

  it('closes a request whose headers never end', async () => {
    const socket = await open();
    const closed = untilClosed(socket);
    socket.write('GET /healthz HTTP/1.1\r\nHost: localhost\r\n');
    const { ms } = await closed;
    expect(ms).toBeLessThan(TIMEOUTS.headersTimeoutMs + 2_000);
  });

  it('a normal client is unaffected: several requests on one keep-alive connection', async () => {
    for (let i = 0; i < 3; i++) {
      const response = await fetch(`${server.origin}/healthz`);
      expect(response.status).toBe(200);
      await response.text();
    }
  });
});

describe('connection cap', () => {
  it('refuses connections beyond maxConnections and serves again once they close', async () => {
    const held = await Promise.all(Array.from({ length: 4 }, () => open()));
    const extra = await open();
    const { text } = await untilClosed(extra); // closed by the server on arrival
    expect(text).toBe('');
    for (const socket of held) socket.destroy();
    await new Promise((r) => setTimeout(r, 100));
    expect(await exchange(get('Host: localhost'))).toMatch(/^HTTP\/1\.1 200 /);
  });

  it('MCP_HTTP_MAX_CONNECTIONS sets the cap and is checked', () => {
    expect(loadHttpConfig({ MCP_HTTP_MAX_CONNECTIONS: '10' }).maxConnections).toBe(10);
    expect(loadHttpConfig({}).maxConnections).toBe(256);
    expect(() => loadHttpConfig({ MCP_HTTP_MAX_CONNECTIONS: '0' })).toThrow(ConfigError);
  });
});
