import type { Identity } from '../../ports/session-store.js';

/**
 * The subprotocol the page offers beside its token; the `$connect` handler answers it, as a
 * browser closes a socket whose server picks no offered subprotocol.
 */
export const CHAT_SUBPROTOCOL = 'chatbot';

/**
 * The signed-in user as the `$connect` authorizer hands it to the `$connect` route. API
 * Gateway takes only string, number and boolean context values, so the groups travel as JSON.
 */
export interface IdentityContext {
  issuer: string;
  sub: string;
  name?: string;
  email?: string;
  /** JSON array of group names (`cognito:groups`). */
  groups?: string;
}

const text = (value: unknown): string | undefined =>
  typeof value === 'string' && value.length > 0 ? value.slice(0, 200) : undefined;

/**
 * The authorizer context of verified Cognito claims: an ID token names the user (`name`,
 * `email`, `cognito:username`), an access token only `username`; both carry `cognito:groups`.
 */
export function identityContext(claims: Record<string, unknown>): IdentityContext | undefined {
  const issuer = text(claims.iss);
  const sub = text(claims.sub);
  if (!issuer || !sub) return undefined;
  const name = text(claims.name) ?? text(claims['cognito:username']) ?? text(claims.username);
  const email = text(claims.email);
  const raw = claims['cognito:groups'];
  const groups = Array.isArray(raw)
    ? raw.filter((g): g is string => typeof g === 'string').slice(0, 100)
    : undefined;
  return {
    issuer,
    sub,
    ...(name && { name }),
    ...(email && { email }),
    ...(groups && { groups: JSON.stringify(groups) }),
  };
}

/**
 * The identity in a `$connect` event's `requestContext.authorizer`, the same `Identity` the
 * local gateway stores; none when the authorizer set no user (the shared-token authorizer).
 */
export function identityFromAuthorizer(authorizer: unknown): Identity | undefined {
  if (typeof authorizer !== 'object' || authorizer === null) return undefined;
  const ctx = authorizer as Record<string, unknown>;
  const issuer = text(ctx.issuer);
  const subject = text(ctx.sub);
  if (!issuer || !subject) return undefined;
  const name = text(ctx.name);
  const email = text(ctx.email);
  let groups: string[] | undefined;
  if (typeof ctx.groups === 'string') {
    try {
      const parsed: unknown = JSON.parse(ctx.groups);
      if (Array.isArray(parsed)) groups = parsed.filter((g): g is string => typeof g === 'string');
    } catch {
      // Written by our authorizer as JSON; anything else carries no groups.
    }
  }
  return {
    issuer,
    subject,
    ...(name && { name }),
    ...(email && { email }),
    ...(groups && { groups }),
  };
}

/**
 * The `Sec-WebSocket-Protocol` answer of `$connect`: the chat's own subprotocol when the client
 * offered it (the page does, beside its token). A browser that offered subprotocols fails a
 * handshake whose answer names none of them; the token itself is never echoed.
 */
export function subprotocolAnswer(
  headers: Record<string, string | undefined> | undefined,
  chosen = CHAT_SUBPROTOCOL,
): Record<string, string> | undefined {
  const offered = Object.entries(headers ?? {}).find(
    ([k]) => k.toLowerCase() === 'sec-websocket-protocol',
  )?.[1];
  if (!offered) return undefined;
  return offered
    .split(',')
    .map((p) => p.trim())
    .includes(chosen)
    ? { 'Sec-WebSocket-Protocol': chosen }
    : undefined;
}
