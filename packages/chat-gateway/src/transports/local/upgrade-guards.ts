import type { IncomingMessage } from 'node:http';
import { networkInterfaces } from 'node:os';
import { listedOrigin, presentedTokenOf } from '../../core/connect-policy.js';

export { tokenMatches } from '../../core/connect-policy.js';

const LOOPBACK_HOSTS = new Set(['localhost', '127.0.0.1', '[::1]']);

/**
 * The host names the gateway is really reachable at: the bound address (every interface's
 * address when bound to 0.0.0.0 or ::), loopback names when it is reachable on loopback, and the
 * hosts of CHAT_ALLOWED_ORIGINS. A Host header naming anything else (a rebinding attacker's
 * domain resolving to this machine) is not this gateway's own page.
 */
export function reachableHosts(bindHost: string, allowedOrigins: readonly string[]): Set<string> {
  const hosts = new Set(allowedOrigins.map((o) => new URL(o).hostname));
  const bound = bindHost.toLowerCase();
  const any = bound === '0.0.0.0' || bound === '::' || bound === '[::]';
  if (any) {
    for (const list of Object.values(networkInterfaces())) {
      for (const a of list ?? []) {
        if (bound === '0.0.0.0' && a.family !== 'IPv4') continue;
        hosts.add(a.family === 'IPv6' ? `[${a.address.split('%')[0]}]` : a.address);
      }
    }
  } else {
    hosts.add(bound.includes(':') && !bound.startsWith('[') ? `[${bound}]` : bound);
  }
  if ([...hosts].some((h) => LOOPBACK_HOSTS.has(h) || h.startsWith('127.')))
    for (const h of LOOPBACK_HOSTS) hosts.add(h);
  return hosts;
}

export type OriginVerdict = { ok: true } | { ok: false; reason: string };

/**
 * Browsers send Origin on a WebSocket handshake; a page from another site must not open a chat
 * in the user's name. Allowed: the gateway's own page (Origin's host equals the Host header,
 * and that host is one the gateway is reachable at), loopback pages when CHAT_ALLOWED_ORIGINS is
 * unset, and the origins it lists. Clients that are not browsers send no Origin and are let
 * through (they are not the cross-site threat; use CHAT_AUTH_TOKEN to restrict them).
 */
export function checkOrigin(
  req: IncomingMessage,
  allowed: readonly string[],
  reachable: () => ReadonlySet<string>,
): OriginVerdict {
  const origin = req.headers.origin;
  if (origin === undefined) return { ok: true };
  let url: URL;
  try {
    url = new URL(origin);
  } catch {
    return { ok: false, reason: 'the Origin header is not a URL' };
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:')
    return { ok: false, reason: 'the Origin is not an http(s) page' };
  if (allowed.length === 0 ? LOOPBACK_HOSTS.has(url.hostname) : listedOrigin(origin, allowed))
    return { ok: true };
  const host = req.headers.host?.toLowerCase();
  if (host === url.host && reachable().has(url.hostname)) return { ok: true };
  return {
    ok: false,
    reason:
      host === url.host
        ? `the gateway does not listen on ${url.hostname}; add ${url.origin} to CHAT_ALLOWED_ORIGINS if that name reaches it`
        : 'a page of another site; add its origin to CHAT_ALLOWED_ORIGINS to allow it',
  };
}

/** The token from `Authorization: Bearer …` or the `token` query parameter (browsers cannot set headers). */
export function presentedToken(req: IncomingMessage): string | undefined {
  return presentedTokenOf(
    req.headers.authorization,
    new URL(req.url ?? '/', 'http://x').searchParams.get('token'),
  );
}
