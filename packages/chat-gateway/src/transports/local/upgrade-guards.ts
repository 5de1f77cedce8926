import { timingSafeEqual, createHash } from 'node:crypto';
import type { IncomingMessage } from 'node:http';

const LOOPBACK_HOSTS = new Set(['localhost', '127.0.0.1', '[::1]']);

/**
 * Browsers send Origin on a WebSocket handshake; a page from another site must not open a chat
 * in the user's name. Loopback origins are allowed by default (the page is served from here);
 * CHAT_ALLOWED_ORIGINS replaces them. Clients that are not browsers send no Origin and are let through
 * (they are not the cross-site threat; use CHAT_AUTH_TOKEN to restrict them).
 */
export function originAllowed(req: IncomingMessage, allowed: readonly string[]): boolean {
  const origin = req.headers.origin;
  if (origin === undefined) return true;
  let url: URL;
  try {
    url = new URL(origin);
  } catch {
    return false;
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return false;
  // Configured: exactly those origins. Otherwise loopback pages only (any port).
  return allowed.length === 0 ? LOOPBACK_HOSTS.has(url.hostname) : allowed.includes(url.origin);
}

/** The token from `Authorization: Bearer …` or the `token` query parameter (browsers cannot set headers). */
export function presentedToken(req: IncomingMessage): string | undefined {
  const header = req.headers.authorization;
  if (header?.startsWith('Bearer ')) return header.slice(7).trim();
  return new URL(req.url ?? '/', 'http://x').searchParams.get('token') ?? undefined;
}

/** Constant-time comparison of fixed-length digests, so the token's length does not leak either. */
export function tokenMatches(presented: string | undefined, expected: string): boolean {
  if (presented === undefined) return false;
  const a = createHash('sha256').update(presented).digest();
  const b = createHash('sha256').update(expected).digest();
  return timingSafeEqual(a, b);
}
