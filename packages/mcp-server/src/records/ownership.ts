import { ForbiddenError } from '../errors.js';
import { callerUserId, type Caller } from '../identity/caller.js';
import type { RecordMatch, TableSpec } from '../ports/record-store.js';

/** Who created a record: a user id (`issuer#subject`), `operator` or `anonymous`. */
export const CREATED_BY = 'created_by';
/** Who changed a record last, in the same form. */
export const UPDATED_BY = 'updated_by';

/** What `created_by` / `updated_by` record for `caller`. */
export function actorOf(caller: Caller): string {
  return callerUserId(caller) ?? (caller.kind === 'trusted' ? 'operator' : 'anonymous');
}

/**
 * The records of `table` that `caller` may see and change, as a match on `created_by`; undefined
 * when there is no restriction (a shared table, or the trusted operator, who sees every row).
 * Anonymous callers are refused from owner-scoped tables: nobody could own their rows.
 */
export function ownerMatch(table: TableSpec, caller: Caller): RecordMatch | undefined {
  if (table.scope !== 'owner' || caller.kind === 'trusted') return undefined;
  if (caller.kind === 'anonymous') {
    throw new ForbiddenError(
      `table "${table.alias}" keeps each person's own records (scope: owner) and needs a signed-in user; sign in (CHAT_OIDC_ISSUER on the gateway, an OAuth access token over HTTP) or use another table`,
    );
  }
  return { attribute: CREATED_BY, value: actorOf(caller) };
}
