import { readFile } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { extname, join, normalize } from 'node:path';

/** The page may run only its own script and talk only to its own origin. */
export const CONTENT_SECURITY_POLICY = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "form-action 'none'",
  "frame-src 'none'",
  "frame-ancestors 'none'",
  "object-src 'none'",
  "base-uri 'none'",
].join('; ');

export const SECURITY_HEADERS: Record<string, string> = {
  'content-security-policy': CONTENT_SECURITY_POLICY,
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  'cross-origin-opener-policy': 'same-origin',
  'cross-origin-resource-policy': 'same-origin',
  'permissions-policy': 'camera=(), microphone=(), geolocation=()',
};

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.json': 'application/json',
};

/**
 * Serves the built web page from `root` (GET/HEAD only, no directory listing, no paths outside
 * the root). Files are read once and kept: the page is small.
 */
export function staticFiles(
  root: string,
): (req: IncomingMessage, res: ServerResponse) => Promise<boolean> {
  const cache = new Map<string, Buffer>();
  return async (req, res) => {
    if (req.method !== 'GET' && req.method !== 'HEAD') return false;
    const path = new URL(req.url ?? '/', 'http://x').pathname;
    if (path === '/favicon.ico') {
      // Browsers ask for it whatever the page links; the page's icon is /favicon.svg.
      res.writeHead(204, { ...SECURITY_HEADERS, 'cache-control': 'public, max-age=86400' });
      res.end();
      return true;
    }
    let relative: string;
    try {
      relative = path === '/' ? 'index.html' : decodeURIComponent(path.slice(1));
    } catch {
      // `/%`, `/%zz`, `/%ff`, `/..%c0%af`: not a path any file of the page has.
      const body = JSON.stringify({
        error: 'bad request: the path has a malformed percent-escape',
      });
      res.writeHead(400, {
        ...SECURITY_HEADERS,
        'content-type': 'application/json',
        'content-length': Buffer.byteLength(body),
      });
      res.end(body);
      return true;
    }
    const file = normalize(join(root, relative));
    if (!file.startsWith(normalize(root + '/')) || !TYPES[extname(file)]) return false;
    let body = cache.get(file);
    if (!body) {
      try {
        body = await readFile(file);
      } catch {
        return false;
      }
      cache.set(file, body);
    }
    res.writeHead(200, {
      ...SECURITY_HEADERS,
      'content-type': TYPES[extname(file)]!,
      'content-length': body.length,
      'cache-control': file.endsWith('.html') ? 'no-cache' : 'public, max-age=300',
    });
    res.end(req.method === 'HEAD' ? undefined : body);
    return true;
  };
}
