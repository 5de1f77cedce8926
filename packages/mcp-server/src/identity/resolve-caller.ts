import type { AuthInfo } from '@modelcontextprotocol/sdk/server/auth/types.js';
import { ValidationError } from '../errors.js';
import { ANONYMOUS_CALLER, TRUSTED_CALLER, type Caller, type CallerIdentity } from './caller.js';

/** What a request handler knows about the request it serves (the SDK's handler `extra`). */
export interface RequestFacts {
  authInfo?: AuthInfo;
  _meta?: Record<string, unknown>;
}

/**
 * The request `_meta` key under which the channel's owner (the chat gateway) names the person
 * a request is for: `{issuer, subject, groups?}` or `{anonymous: true}`.
 */
export const CALLER_META_KEY = 'chatbot-mcp/caller';

/** The `authInfo.extra` key under which the HTTP transport puts an access token's user. */
export const TOKEN_USER_KEY = 'chatbotMcpUser';

const MAX_ID_CHARS = 1024;
const MAX_GROUPS = 256;
const MAX_GROUP_CHARS = 256;

/**
 * The caller of one request. Every handler (tools, resources, prompts, completions) asks here,
 * so the rule is written once for every transport:
 *
 * - A request that carries `authInfo` was let in by an OAuth access token (HTTP, Lambda function
 *   URL): it is the token's user, or anonymous when the token names none. `_meta` is ignored, so
 *   a token holder can never speak for somebody else.
 * - Every other request came over a channel only the operator can open: stdio (whoever spawned
 *   the process), the in-process transport, the data dir's 0600 Unix socket, HTTP with the static
 *   token (MCP_AUTH_TOKEN) or without authentication, a direct Lambda invoke (IAM). Such a caller
 *   is trusted and may narrow itself to a person with `_meta["chatbot-mcp/caller"]` (the gateway
 *   does for each chat user); without it the request is the trusted operator. Narrowing never
 *   grants more than the channel already has.
 */
export function resolveCaller(facts: RequestFacts): Caller {
  if (facts.authInfo) return tokenCaller(facts.authInfo);
  const named = facts._meta?.[CALLER_META_KEY];
  return named === undefined ? TRUSTED_CALLER : parseMetaCaller(named);
}

/** The `_meta` value a trusted client sends to act for `caller` (absent for the operator). */
export function callerMeta(caller: Caller): Record<string, unknown> {
  if (caller.kind === 'trusted') return {};
  if (caller.kind === 'anonymous') return { [CALLER_META_KEY]: { anonymous: true } };
  const { issuer, subject, groups } = caller.identity;
  return { [CALLER_META_KEY]: { issuer, subject, groups: [...groups] } };
}

function tokenCaller(authInfo: AuthInfo): Caller {
  const user = authInfo.extra?.[TOKEN_USER_KEY] as CallerIdentity | undefined;
  return user ? { kind: 'user', identity: user } : ANONYMOUS_CALLER;
}

/** Strict: a malformed identity is refused, never read as the operator or as anonymous. */
function parseMetaCaller(value: unknown): Caller {
  const wrong = (what: string): ValidationError =>
    new ValidationError(
      `_meta["${CALLER_META_KEY}"]: ${what}; send {"issuer": "...", "subject": "...", "groups": ["..."]} for a signed-in person, {"anonymous": true} for nobody in particular, or leave it out to act as the operator`,
    );
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw wrong('must be an object');
  }
  const v = value as Record<string, unknown>;
  if (v.anonymous !== undefined) {
    if (v.anonymous !== true || Object.keys(v).length !== 1) {
      throw wrong('"anonymous" must be true and stand alone');
    }
    return ANONYMOUS_CALLER;
  }
  const extra = Object.keys(v).filter((k) => !['issuer', 'subject', 'groups'].includes(k));
  if (extra.length > 0) throw wrong(`unknown field ${JSON.stringify(extra[0]?.slice(0, 40))}`);
  const { issuer, subject, groups = [] } = v;
  if (!isId(issuer) || issuer.includes('#')) {
    throw wrong(
      `"issuer" must be a non-empty string without "#" of at most ${MAX_ID_CHARS} characters`,
    );
  }
  if (!isId(subject)) {
    throw wrong(`"subject" must be a non-empty string of at most ${MAX_ID_CHARS} characters`);
  }
  if (
    !Array.isArray(groups) ||
    groups.length > MAX_GROUPS ||
    !groups.every((g) => typeof g === 'string' && g.length > 0 && g.length <= MAX_GROUP_CHARS)
  ) {
    throw wrong(`"groups" must be at most ${MAX_GROUPS} non-empty strings`);
  }
  return { kind: 'user', identity: { issuer, subject, groups: groups as string[] } };
}

function isId(value: unknown): value is string {
  return typeof value === 'string' && value.length > 0 && value.length <= MAX_ID_CHARS;
}
