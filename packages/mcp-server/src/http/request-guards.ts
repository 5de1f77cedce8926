import { timingSafeEqual, createHash } from 'node:crypto';

/** Host names a loopback server answers to; anything else is a DNS-rebinding attempt. */
export const LOOPBACK_HOSTS = ['localhost', '127.0.0.1', '[::1]'];

/** The host name of a Host header, without port, lower-cased (`[::1]` keeps its brackets). */
export function hostName(hostHeader: string): string {
  const host = hostHeader.trim().toLowerCase();
  if (host.startsWith('[')) return host.slice(0, host.indexOf(']') + 1);
  return host.split(':')[0] ?? '';
}

export function isAllowedHost(hostHeader: string | null, allowed: readonly string[]): boolean {
  if (!hostHeader) return false;
  return allowed.includes(hostName(hostHeader));
}

/**
 * A request without Origin comes from a non-browser client and is allowed; a browser's Origin
 * must be a loopback origin or on the allowlist.
 */
export function isAllowedOrigin(origin: string | null, allowed: readonly string[]): boolean {
  if (origin === null) return true;
  if (allowed.includes(origin)) return true;
  try {
    const url = new URL(origin);
    return (
      (url.protocol === 'http:' || url.protocol === 'https:') &&
      LOOPBACK_HOSTS.includes(url.hostname)
    );
  } catch {
    return false;
  }
}

/** Constant-time comparison of a `Bearer` token (hashing first makes lengths equal). */
export function hasValidBearer(authorization: string | null, token: string): boolean {
  const match = /^Bearer\s+(.+)$/i.exec(authorization ?? '');
  if (!match?.[1]) return false;
  const digest = (s: string): Buffer => createHash('sha256').update(s).digest();
  return timingSafeEqual(digest(match[1].trim()), digest(token));
}
