import { mkdtempSync, rmSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { silentLogger } from 'chatbot-mcp-server/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  startLocalGateway,
  type LocalGateway,
} from '../../src/transports/local/start-local-gateway.js';

/**
 * The local gateway's HTTP answers for odd paths, sent as raw bytes over node:net (fetch and
 * URL would normalise or refuse them before they reach the server).
 */

const WEB_ROOT = new URL('../../dist/web/', import.meta.url).pathname;

interface RawResponse {
  status: number;
  headers: Record<string, string>;
  body: string;
}

function rawRequest(port: number, method: string, path: string): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1');
    let data = '';
    socket.setEncoding('latin1');
    socket.on('data', (chunk: string) => (data += chunk));
    socket.on('error', reject);
    socket.on('end', () => {
      const [head = '', ...rest] = data.split('\r\n\r\n');
      const [statusLine = '', ...lines] = head.split('\r\n');
      const headers: Record<string, string> = {};
      for (const line of lines) {
        const colon = line.indexOf(':');
        headers[line.slice(0, colon).toLowerCase()] = line.slice(colon + 1).trim();
      }
      resolve({ status: Number(statusLine.split(' ')[1]), headers, body: rest.join('\r\n\r\n') });
    });
    socket.write(
      `${method} ${path} HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nConnection: close\r\n\r\n`,
    );
  });
}

function expectSecurityHeaders(res: RawResponse, what: string): void {
  expect(res.headers['content-security-policy'], what).toContain("default-src 'self'");
  expect(res.headers['x-content-type-options'], what).toBe('nosniff');
  expect(res.headers['referrer-policy'], what).toBe('no-referrer');
}

let dataDir: string;
let gw: LocalGateway;
const port = (): number => Number(new URL(gw.url).port);

beforeAll(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'gw-paths-'));
  gw = await startLocalGateway({
    env: { LOG_LEVEL: 'error' },
    dataDir,
    port: '0',
    logger: silentLogger,
    webRoot: WEB_ROOT,
    inMemory: true,
    cleanupIntervalMs: false,
  });
}, 60_000);

afterAll(async () => {
  await gw?.close();
  rmSync(dataDir, { recursive: true, force: true });
});

describe('local gateway HTTP paths (raw requests over node:net)', () => {
  it.each(['/%', '/%zz', '/%ff', '/..%c0%afx', '/app.js%E0%A4%A', '/%2e%2e/%ff'])(
    'a malformed percent-escape (%s) is a 400 with the security headers',
    async (path) => {
      const res = await rawRequest(port(), 'GET', path);
      expect(res.status).toBe(400);
      expectSecurityHeaders(res, path);
      expect(JSON.parse(res.body)).toEqual({
        error: 'bad request: the path has a malformed percent-escape',
      });
    },
  );

  it.each([
    ['GET', '/', 200],
    ['GET', '/app.js', 200],
    ['GET', '/healthz', 200],
    ['GET', '/nothing-here', 404],
    ['GET', '/..%2f..%2fetc%2fpasswd', 404],
    ['POST', '/', 404],
    ['HEAD', '/favicon.ico', 204],
    ['GET', '/favicon.ico', 204],
    ['GET', '/favicon.svg', 200],
  ] as const)('%s %s answers %i with the security headers', async (method, path, status) => {
    const res = await rawRequest(port(), method, path);
    expect(res.status).toBe(status);
    expectSecurityHeaders(res, `${method} ${path}`);
  });

  it.each([
    ['POST', '/healthz'],
    ['DELETE', '/config.json'],
    ['PUT', '/auth-check'],
    ['TRACE', '/auth/me'],
    ['OPTIONS', '/healthz'],
    ['PROPFIND', '/config.json'],
  ])('%s %s (a path that only reads) is a 405 that names GET and HEAD', async (method, path) => {
    const res = await rawRequest(port(), method, path);
    expect(res.status).toBe(405);
    expect(res.headers['allow']).toBe('GET, HEAD');
    expectSecurityHeaders(res, `${method} ${path}`);
    expect(JSON.parse(res.body)).toEqual({ error: `${path} answers GET and HEAD only` });
  });

  it.each(['/healthz', '/config.json', '/auth-check'])(
    'HEAD %s answers as GET does, without a body',
    async (path) => {
      const [head, get] = [
        await rawRequest(port(), 'HEAD', path),
        await rawRequest(port(), 'GET', path),
      ];
      expect(head.status).toBe(get.status);
      expect(head.body).toBe('');
    },
  );

  it('the page links its SVG icon, served as image/svg+xml', async () => {
    const page = await rawRequest(port(), 'GET', '/');
    expect(page.body).toMatch(/<link rel="icon" href="favicon\.svg" type="image\/svg\+xml" \/>/);
    const icon = await rawRequest(port(), 'GET', '/favicon.svg');
    expect(icon.headers['content-type']).toBe('image/svg+xml');
    expect(icon.body).toMatch(/^<svg xmlns="http:\/\/www\.w3\.org\/2000\/svg"/);
  });
});
