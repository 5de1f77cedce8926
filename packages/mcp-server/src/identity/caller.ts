/**
 * Who a tool call, resource read or completion is for. Every read of documents and every
 * record operation is decided against it; it is resolved once per request by the transport.
 *
 * - `trusted`: the operator (the server on its own over stdio, the CLI): sees and changes everything.
 * - `anonymous`: nobody in particular (a gateway without sign-in passing no identity): only
 *   documents open to everyone; tables declared `scope: owner` are refused.
 * - `user`: a signed-in person, as the gateway or an OAuth access token vouches for them.
 */
export type Caller =
  { kind: 'trusted' } | { kind: 'anonymous' } | { kind: 'user'; identity: CallerIdentity };

/** A signed-in person: `issuer` + `subject` name them; `groups` come from the groups claim. */
export interface CallerIdentity {
  issuer: string;
  subject: string;
  groups: readonly string[];
}

export const TRUSTED_CALLER: Caller = Object.freeze({ kind: 'trusted' });
export const ANONYMOUS_CALLER: Caller = Object.freeze({ kind: 'anonymous' });

/** The user id recorded in `created_by` / `updated_by` and owner-scoped rows: `issuer#subject`. */
export function callerUserId(caller: Caller): string | undefined {
  return caller.kind === 'user'
    ? `${caller.identity.issuer}#${caller.identity.subject}`
    : undefined;
}
