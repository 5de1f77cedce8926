/**
 * A stand-in for the CDK app's page hosting (CloudFront over the page bucket): the built page
 * from one loopback origin, `config.json` as the deployment writes it, and the CSP the response
 * headers policy sets, with `connect-src` widened to the origins the test names (the WebSocket
 * API's, as the CDK app does).
 */
import { readFile } from 'node:fs/promises';
import { createServer, type Server, type ServerResponse } from 'node:http';
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
  /** `METHOD path cache-control` of every request, in order. */
  requests: string[];
  close(): Promise<void>;
}

export interface HostedSiteOptions {
  /**
   * How a missing file is answered: 404 (default), or 403 as S3 behind Origin Access Control
   * answers for a key it does not have.
   */
  missing?: 404 | 403;
  /** Answers a path itself (a stand-in endpoint on the same origin); true when it did. */
  route?: (url: URL, res: ServerResponse) => boolean;
}

export async function startHostedSite(options: HostedSiteOptions = {}): Promise<HostedSite> {
  const server: Server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://x');
    const path = url.pathname;
    site.requests.push(`${req.method} ${path} ${req.headers['cache-control'] ?? ''}`);
    if (options.route?.(url, res)) return;
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
    const missing = (): void =>
      options.missing === 403
        ? send(403, 'application/xml', '<Error/>')
        : send(404, 'text/plain', 'not found');
    if (path === '/config.json') {
      if (site.config === undefined) return missing();
      return send(200, 'application/json', JSON.stringify(site.config));
    }
    const file = path === '/' ? 'index.html' : path.slice(1);
    if (!/^[a-z]+\.(html|js|css)$/.test(file)) return missing();
    readFile(join(webDir, file)).then((body) => send(200, TYPES[extname(file)]!, body), missing);
  });
  const site: HostedSite = {
    origin: '',
    config: undefined,
    connectSrc: [],
    requests: [],
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  site.origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return site;
}
