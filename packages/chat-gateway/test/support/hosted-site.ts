/**
 * A stand-in for the CDK app's page hosting (CloudFront over the page bucket): the built page
 * from one loopback origin, `config.json` as the deployment writes it, and the CSP the response
 * headers policy sets, with `connect-src` widened to the origins the test names (the WebSocket
 * API's, as the CDK app does).
 */
import { readFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { extname, join } from 'node:path';
import { webDir } from './browser.js';

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
};

export interface HostedSite {
  origin: string;
  /** The `config.json` to serve; undefined: 404, as a host without one. */
  config: unknown;
  /** Origins added to `connect-src`. */
  connectSrc: string[];
  close(): Promise<void>;
}

export async function startHostedSite(): Promise<HostedSite> {
  const server: Server = createServer((req, res) => {
    const path = new URL(req.url ?? '/', 'http://x').pathname;
    const csp = [
      "default-src 'self'",
      "script-src 'self'",
      "style-src 'self'",
      `connect-src 'self' ${site.connectSrc.join(' ')}`,
      "form-action 'none'",
      "frame-ancestors 'none'",
    ].join('; ');
    const send = (status: number, type: string, body: string | Buffer): void => {
      res.writeHead(status, { 'content-type': type, 'content-security-policy': csp });
      res.end(body);
    };
    if (path === '/config.json') {
      if (site.config === undefined) return send(404, 'text/plain', 'not found');
      return send(200, 'application/json', JSON.stringify(site.config));
    }
    const file = path === '/' ? 'index.html' : path.slice(1);
    if (!/^[a-z]+\.(html|js|css)$/.test(file)) return send(404, 'text/plain', 'not found');
    readFile(join(webDir, file)).then(
      (body) => send(200, TYPES[extname(file)]!, body),
      () => send(404, 'text/plain', 'not found'),
    );
  });
  const site: HostedSite = {
    origin: '',
    config: undefined,
    connectSrc: [],
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  site.origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return site;
}
