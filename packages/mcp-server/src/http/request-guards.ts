import { timingSafeEqual, createHash } from 'node:crypto';

/** Host names a loopback server answers to; anything else is a DNS-rebinding attempt. */
export const LOOPBACK_HOSTS = ['localhost', '127.0.0.1', '[::1]'];

/**
 * A Host header parsed strictly (RFC 9110 `uri-host [ ":" port ]`): a bracketed IPv6 literal or
 * a name of letters, digits, dots and hyphens, and an optional port. Userinfo
 * (`localhost:3000@evil.com`), trailing text (`[::1].evil.com`), lists and spaces are refused.
 */
export function parseHost(value: string): { name: string; port?: number } | undefined {
  const match =
    /^(\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9](?:[A-Za-z0-9.-]*[A-Za-z0-9])?)(?::(\d{1,5}))?$/.exec(value);
  if (!match) return undefined;
  const port = match[2] === undefined ? undefined : Number(match[2]);
  if (port !== undefined && port > 65535) return undefined;
  return { name: match[1]!.toLowerCase(), ...(port !== undefined && { port }) };
}

/** The host name of a Host header, without port, lower-cased (`[::1]` keeps its brackets). */
export function hostName(hostHeader: string): string {
  return parseHost(hostHeader.trim())?.name ?? '';
}

/** Exact match of the parsed host name against the allowlist; anything unparsable is refused. */
export function isAllowedHost(hostHeader: string | null, allowed: readonly string[]): boolean {
  if (!hostHeader) return false;
  const host = parseHost(hostHeader);
  return host !== undefined && allowed.includes(host.name);
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
