import { ValidationError } from '../errors.js';
import { checkWellFormed } from '../identifiers.js';
import type { Caller } from '../identity/caller.js';

/**
 * Who may read a document, as `ingest_document` takes it. Absent: everyone. Present: only the
 * listed users and members of the listed groups (and the trusted operator); `{}` is nobody else.
 *
 * A user is named by their subject (`sub`), or as `<issuer>#<subject>` (the form `callerUserId`
 * gives) when more than one issuer signs in users and a subject alone could name two people.
 */
export interface DocumentAccess {
  users?: readonly string[];
  groups?: readonly string[];
}

/**
 * Stored with each chunk and document as a flat list of principals, so every backend filters
 * with one "shares an element" test inside its query: `*` everyone, `s:<subject>` a subject
 * from any issuer, `u:<issuer>#<subject>` one issuer's subject, `g:<group>` a group.
 */
export const EVERYONE = '*';
/**
 * The one principal of a document open to nobody but the operator (`access: {}`): a list is
 * never stored empty, because OpenSearch cannot tell an empty list from a missing field (which
 * is how documents stored before access read: everyone's). No caller reads as it.
 */
export const NOBODY = '-';

const MAX_ENTRIES = 100;
const MAX_ENTRY_CHARS = 512;
/** An issuer is an http(s) URL, so `https://…#sub` cannot be mistaken for a bare subject. */
const ISSUER_FORM = /^https?:\/\/[^#]+#./;

/**
 * The principals of an access list (sorted, without duplicates); `['*']` when absent, `['-']`
 * when it names nobody.
 */
export function accessPrincipals(access: DocumentAccess | undefined, field = 'access'): string[] {
  if (access === undefined) return [EVERYONE];
  if (typeof access !== 'object' || access === null || Array.isArray(access))
    throw new ValidationError(`${field}: must be an object such as {"groups": ["finance"]}`);
  const unknown = Object.keys(access).filter((key) => key !== 'users' && key !== 'groups');
  if (unknown.length > 0)
    throw new ValidationError(
      `${field}: unknown field ${JSON.stringify(unknown[0])}; use users and groups`,
    );
  const users = entries(access.users, `${field}.users`).map((user) =>
    ISSUER_FORM.test(user) ? `u:${user}` : `s:${user}`,
  );
  const groups = entries(access.groups, `${field}.groups`).map((group) => `g:${group}`);
  const principals = [...new Set([...users, ...groups])].sort();
  return principals.length > 0 ? principals : [NOBODY];
}

function entries(value: unknown, field: string): string[] {
  if (value === undefined) return [];
  if (!Array.isArray(value)) throw new ValidationError(`${field}: must be a list of strings`);
  if (value.length > MAX_ENTRIES)
    throw new ValidationError(`${field}: has ${value.length} entries; the limit is ${MAX_ENTRIES}`);
  return value.map((entry: unknown, i) => {
    if (typeof entry !== 'string' || entry.trim() !== entry || entry === '')
      throw new ValidationError(
        `${field}[${i}]: must be a non-empty string without surrounding spaces`,
      );
    if (entry.length > MAX_ENTRY_CHARS)
      throw new ValidationError(`${field}[${i}]: is longer than ${MAX_ENTRY_CHARS} characters`);
    // eslint-disable-next-line no-control-regex
    if (/[\u0000-\u001F\u007F]/.test(entry))
      throw new ValidationError(`${field}[${i}]: must not contain control characters`);
    return checkWellFormed(entry, `${field}[${i}]`);
  });
}

/**
 * The principals a caller reads as, for the stores' access filter; undefined for the trusted
 * operator, who reads everything. Absent caller: the operator (see ToolCallContext).
 */
export function callerReaders(caller: Caller | undefined): readonly string[] | undefined {
  if (caller === undefined || caller.kind === 'trusted') return undefined;
  if (caller.kind === 'anonymous') return [EVERYONE];
  const { issuer, subject, groups } = caller.identity;
  return [EVERYONE, `s:${subject}`, `u:${issuer}#${subject}`, ...groups.map((g) => `g:${g}`)];
}

/** Whether `readers` (undefined: the operator) may read something stored with `principals`. */
export function mayRead(
  principals: readonly string[] | undefined,
  readers: readonly string[] | undefined,
): boolean {
  if (readers === undefined) return true;
  const stored = principals ?? [EVERYONE];
  return stored.some((principal) => readers.includes(principal));
}

/** Whether two stored principal lists grant the same access (absent is everyone). */
export function sameAccess(
  a: readonly string[] | undefined,
  b: readonly string[] | undefined,
): boolean {
  const x = a ?? [EVERYONE];
  const y = b ?? [EVERYONE];
  return x.length === y.length && x.every((p) => y.includes(p));
}
