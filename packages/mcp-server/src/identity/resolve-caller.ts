import type { AuthInfo } from '@modelcontextprotocol/sdk/server/auth/types.js';
import { TRUSTED_CALLER, type Caller } from './caller.js';

/** What a request handler knows about the request it serves (the SDK's handler `extra`). */
export interface RequestFacts {
  authInfo?: AuthInfo;
  _meta?: Record<string, unknown>;
}

/**
 * The caller of one request. Every handler (tools, resources, prompts, completions) asks here,
 * so the rule is written once for every transport.
 *
 * For now every request is the trusted operator; the per-transport rule replaces this body.
 */
export function resolveCaller(_facts: RequestFacts): Caller {
  return TRUSTED_CALLER;
}
