import type { Tool } from '@modelcontextprotocol/sdk/types.js';
import { parseHost } from './request-guards.js';

/** Listing tools and calling read-only ones needs `mcp:read` (or `mcp:write`). */
export const READ_SCOPE = 'mcp:read';
/** Calling a tool whose annotations are not `readOnlyHint: true` needs `mcp:write`. */
export const WRITE_SCOPE = 'mcp:write';

export const METADATA_PATH = '/.well-known/oauth-protected-resource';

/**
 * The MCP endpoint's URL as the resource identifier of RFC 8707 / RFC 9728: MCP_PUBLIC_URL, or
 * the Host the client used (already checked against MCP_ALLOWED_HOSTS; the Node adapter fixes
 * the request URL's host) with the scheme of the request URL (Node: http, Lambda: https).
 */
export function resourceUrlOf(request: Request, publicUrl: string | undefined): string {
  if (publicUrl) return publicUrl;
  const url = new URL(request.url);
  const host = request.headers.get('host');
  return `${url.protocol}//${host && parseHost(host) ? host.toLowerCase() : url.host}/mcp`;
}

/** RFC 9728 §3.1: the well-known segment goes between the host and the resource's path. */
export function metadataUrlOf(resource: string): string {
  const url = new URL(resource);
  return `${url.origin}${METADATA_PATH}${url.pathname === '/' ? '' : url.pathname}`;
}

/** Protected resource metadata (RFC 9728 §2). */
export function protectedResourceMetadata(resource: string, issuer: string): object {
  return {
    resource,
    authorization_servers: [issuer],
    scopes_supported: [READ_SCOPE, WRITE_SCOPE],
    bearer_methods_supported: ['header'],
    resource_name: 'chatbot-mcp-server',
  };
}

/** A `WWW-Authenticate: Bearer ...` value (RFC 6750 §3); values must not contain quotes. */
export function bearerChallenge(params: Record<string, string | undefined>): string {
  const parts = Object.entries(params)
    .filter((entry): entry is [string, string] => entry[1] !== undefined)
    .map(([key, value]) => `${key}="${value.replace(/["\\]/g, '')}"`);
  return `Bearer ${parts.join(', ')}`;
}

/**
 * The scope a JSON-RPC body (one message or a batch) needs: `mcp:write` when it calls any tool
 * that is not annotated read-only (unknown names included: fail closed), else `mcp:read`.
 */
export function requiredScope(body: unknown, tools: readonly Tool[]): string {
  const messages = Array.isArray(body) ? (body as unknown[]) : [body];
  const readOnly = new Set(
    tools.filter((t) => t.annotations?.readOnlyHint === true).map((t) => t.name),
  );
  for (const message of messages) {
    if (!isRecord(message) || message.method !== 'tools/call') continue;
    const name = isRecord(message.params) ? message.params.name : undefined;
    if (typeof name !== 'string' || !readOnly.has(name)) return WRITE_SCOPE;
  }
  return READ_SCOPE;
}

/** `mcp:write` includes `mcp:read`: a token granted writing may also read. */
export function scopeAllows(granted: ReadonlySet<string>, needed: string): boolean {
  return granted.has(needed) || (needed === READ_SCOPE && granted.has(WRITE_SCOPE));
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
