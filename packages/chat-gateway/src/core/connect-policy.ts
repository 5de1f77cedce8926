import { createHash, timingSafeEqual } from 'node:crypto';

/**
 * Who may open a chat connection, the same on the local server and the `$connect` authorizer:
 *
 * - Origin: a browser page must come from a listed origin (compared after normalising, so
 *   `https://Chat.example:443/` is `https://chat.example`). A client that sends no Origin is not
 *   a browser page, so not the cross-site threat the check is for: it passes, and the token
 *   (or sign-in) is what restricts it.
 * - Token: `Authorization: Bearer …` first, else the `token` query parameter (browsers cannot
 *   set headers on a WebSocket), compared in constant time.
 */
export const MIN_TOKEN_LENGTH = 16;

/** An origin as compared: scheme://host[:port], lower case, default port dropped; undefined if not http(s). */
export function normalOrigin(value: string): string | undefined {
  try {
    const url = new URL(value);
    return url.protocol === 'http:' || url.protocol === 'https:' ? url.origin : undefined;
  } catch {
    return undefined;
  }
}

/** True when the page's Origin is listed (both normalised), or when there is no Origin. */
export function listedOrigin(origin: string | undefined, allowed: readonly string[]): boolean {
  if (origin === undefined) return true;
  const normal = normalOrigin(origin);
  return normal !== undefined && allowed.includes(normal);
}

/** The token a client presents: the Bearer header wins over `?token=`. */
export function presentedTokenOf(
  authorization: string | undefined,
  queryToken: string | null | undefined,
): string | undefined {
  const bearer = /^Bearer\s+(.+)$/i.exec(authorization ?? '')?.[1]?.trim();
  return bearer ?? queryToken ?? undefined;
}

/** Constant-time comparison of fixed-length digests, so the token's length does not leak either. */
export function tokenMatches(presented: string | undefined, expected: string): boolean {
  if (presented === undefined) return false;
  const a = createHash('sha256').update(presented).digest();
  const b = createHash('sha256').update(expected).digest();
  return timingSafeEqual(a, b);
}
